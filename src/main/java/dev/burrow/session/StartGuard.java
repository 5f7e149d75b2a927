package dev.burrow.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says that a session is being started (created or resumed) by some Burrow process, so that
 * a reconcile in another thread or process leaves it alone instead of calling it interrupted.
 * A file lock in the session's dir (not the run dir: the container writes there, and a lock
 * it held would keep Burrow out) covers other processes, a set covers this one, because a JVM
 * cannot hold two locks on one file.
 */
final class StartGuard {
    private static final String LOCK_FILE = "start.lock";

    private final Set<String> here = ConcurrentHashMap.newKeySet();

    /** Holds the session until the answer is closed; empty when another thread or process is starting it. */
    Optional<Held> tryHold(Session s) {
        if (!here.add(s.id())) return Optional.empty();
        try {
            Files.createDirectories(s.dir());
            Optional<FileChannel> ch = FileLocks.tryLock(s.dir().resolve(LOCK_FILE));
            if (ch.isEmpty()) here.remove(s.id());
            return ch.map(c -> new Held(s.id(), c));
        } catch (IOException e) {
            here.remove(s.id());
            throw new UncheckedIOException(e);
        }
    }

    /** Holds the session, or says who is in the way. */
    Held hold(Session s) {
        return tryHold(s).orElseThrow(() -> new SessionException(SessionException.Kind.CONFLICT,
                "session " + s.shortId() + " is being started by another Burrow process; try again in a moment"));
    }

    /** One hold; closing it lets others start or reconcile the session. */
    final class Held implements AutoCloseable {
        private final String id;
        private final FileChannel channel;

        private Held(String id, FileChannel channel) {
            this.id = id;
            this.channel = channel;
        }

        @Override
        public void close() {
            try {
                channel.close(); // releases the lock
            } catch (IOException ignored) {
                // the lock goes with the channel either way
            } finally {
                here.remove(id);
            }
        }
    }
}
