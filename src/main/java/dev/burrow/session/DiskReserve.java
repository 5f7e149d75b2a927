package dev.burrow.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room kept on the data dir's disk for Burrow's own last writes. A session can fill the disk
 * faster than any watch looks (a `dd` in its workspace writes a gigabyte a second), and then
 * Burrow could record neither why the session stopped nor the work it saved. So Burrow holds a
 * file of {@link #BYTES} that it gives up, once the session's container is gone (nothing in it
 * writes any more), for the notice, the state and the save; it is made again when there is room.
 *
 * <p>Lock rule: none; called from the reconcile thread only.
 */
final class DiskReserve {
    private static final Logger LOG = LoggerFactory.getLogger(DiskReserve.class);
    static final long BYTES = 16L << 20;

    private final Path file;

    DiskReserve(Path dataDir) {
        this.file = dataDir.resolve("disk-reserve");
    }

    /** Makes the reserve when it is missing and {@code free} leaves room for it beyond {@code floor}. */
    void keep(long free, long floor) {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) || free < floor + 2 * BYTES) return;
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            // Written, not just sized: a sparse file would hold no room at all.
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long n = 0; n < BYTES; n += zeros.capacity()) {
                zeros.clear();
                while (zeros.hasRemaining()) ch.write(zeros);
            }
            ch.force(true);
            Files.move(part, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.debug("could not keep the disk reserve: {}", e.toString());
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }

    /** Gives the room back to the disk; true when there was a reserve to give. */
    boolean release() {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not release the disk reserve {}: {}", file, e.toString());
            return false;
        }
    }
}
