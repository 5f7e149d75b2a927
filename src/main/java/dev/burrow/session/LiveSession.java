package dev.burrow.session;

import dev.burrow.container.AgentPipe;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What this process holds for a session whose agent it follows: the link to the agent, the
 * channel that speaks its mode, the book of its open turns, and the follow lock. The lock (a
 * file lock in the run dir) makes sure one process at a time turns the agent's output into
 * events, so a CLI beside the server never stores a line twice.
 *
 * <p>Lock rule: {@link #turns} and {@link #stopping} are read and written only while holding
 * this object's monitor; so are the channel's send and interrupt.
 */
final class LiveSession {
    final String id;
    final AgentLink link;
    final AgentChannel channel;
    private final FileChannel lockChannel; // holds the follow lock
    TurnBook turns = TurnBook.fresh(SessionMode.CHAT); // replaced by the supervisor's, for the session's mode, before any line is read
    boolean stopping;
    private final List<AutoCloseable> held = new ArrayList<>();
    private boolean closed;

    private LiveSession(String id, AgentLink link, AgentChannel channel, FileChannel lockChannel) {
        this.id = id;
        this.link = link;
        this.channel = channel;
        this.lockChannel = lockChannel;
    }

    /**
     * Takes the follow lock (in the session's own dir, which the container cannot reach), or
     * empty when another process follows this session; then the pipe is closed unused.
     */
    static Optional<LiveSession> tryFollow(String id, Path sessionDir, AgentPipe pipe, long offset, AgentChannel channel, AgentLink.Handler handler)
            throws IOException {
        Optional<FileChannel> ch = FileLocks.tryLock(sessionDir.resolve("follow.lock"));
        if (ch.isEmpty()) pipe.close();
        return ch.map(c -> new LiveSession(id, new AgentLink(pipe, offset, handler), channel, c));
    }

    /**
     * Keeps something open while this process follows the session (its Podman socket, its
     * login's upkeep), and closes it with the following; at once if that already ended.
     */
    synchronized void attach(AutoCloseable resource) {
        if (closed) closeQuietly(resource);
        else held.add(resource);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing the follower can do about it
        }
    }

    synchronized void close() {
        closed = true;
        link.close();
        held.forEach(LiveSession::closeQuietly);
        try {
            lockChannel.close(); // releases the lock
        } catch (IOException ignored) {
            // the lock goes with the channel; nothing else to undo
        }
    }
}
