package dev.burrow.session;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** Exclusive file locks between Burrow processes. */
final class FileLocks {
    private FileLocks() {
    }

    /**
     * Locks {@code file} (made when missing) and answers the channel that holds the lock:
     * closing it releases the lock. Empty when another process holds it, or this one does
     * through another channel (a JVM cannot lock one file twice).
     */
    static Optional<FileChannel> tryLock(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            return Optional.empty();
        }
        return Optional.of(ch);
    }
}
