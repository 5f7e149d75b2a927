package dev.burrow.container;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Reading files a container can write (its run dir, its Claude dir) without trusting what is at
 * their names: a link is never followed (O_NOFOLLOW), and the open is read-write, which never
 * waits on a FIFO the way a read-only open does; a FIFO (or anything else without a size) reads
 * as empty, since only what fstat says is there is read. So neither a link nor a FIFO swapped
 * in after a check can lead Burrow elsewhere or hang it.
 */
public final class HostileFiles {
    private HostileFiles() {
    }

    /**
     * Creates {@code file} with {@code content}, 0600, only if nothing is at that name (O_EXCL:
     * never through a link the container put there); false when something is.
     */
    public static boolean createNew(Path file, String content) throws IOException {
        try {
            Files.writeString(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** The first {@code maxBytes} of the file, or empty when it is missing, not a plain file, or empty. */
    public static Optional<byte[]> readHead(Path file, int maxBytes) {
        return read(file, maxBytes, false);
    }

    /** The last {@code maxBytes} of the file, or empty when it is missing, not a plain file, or empty. */
    public static Optional<byte[]> readTail(Path file, int maxBytes) {
        return read(file, maxBytes, true);
    }

    private static Optional<byte[]> read(Path file, int maxBytes, boolean tail) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            if (size <= 0) return Optional.empty();
            long from = tail ? Math.max(0, size - maxBytes) : 0;
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(maxBytes, size - from));
            long at = from;
            while (buf.hasRemaining()) {
                int n = ch.read(buf, at);
                if (n <= 0) break;
                at += n;
            }
            byte[] out = new byte[buf.position()];
            buf.flip().get(out);
            return Optional.of(out);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // missing, a link, a directory, a FIFO that will not seek: nothing to read
        }
    }
}
