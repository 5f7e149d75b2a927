package dev.burrow.session;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    private final FileChannel lockChannel;
    private final FileLock lock;
    TurnBook turns = TurnBook.fresh();
    boolean stopping;
    private final List<AutoCloseable> held = new ArrayList<>();
    private boolean closed;

    private LiveSession(String id, AgentLink link, AgentChannel channel, FileChannel lockChannel, FileLock lock) {
        this.id = id;
        this.link = link;
        this.channel = channel;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Takes the follow lock, or empty when another process follows this session. */
    static Optional<LiveSession> tryFollow(String id, Path runDir, long offset, AgentChannel channel, AgentLink.Handler handler) throws IOException {
        FileChannel ch = FileChannel.open(runDir.resolve("follow.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            return Optional.empty();
        }
        return Optional.of(new LiveSession(id, new AgentLink(runDir, offset, handler), channel, ch, lock));
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
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // the lock goes with the channel; nothing else to undo
        }
    }
}
