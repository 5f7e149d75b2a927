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

    /**
     * Writes {@code line} (at most 4 KiB) into the FIFO at {@code fifo}, for the container process
     * that waits on it: false when the name is not a FIFO, or no one opened it for reading within
     * {@code forAReader}, or its pipe is full. Never follows a link, never creates anything, and
     * never waits on the container ({@link Fifos}: a non-blocking open and write).
     */
    public static boolean writeFifo(Path fifo, byte[] line, java.time.Duration forAReader) {
        try {
            if (!Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) return false;
        } catch (IOException e) {
            return false;
        }
        return Fifos.write(fifo, line, forAReader);
    }

    /**
     * Copies the plain file at {@code file} into {@code to}, never following a link and never
     * waiting on a FIFO (read-write open; only what fstat says is there is read); false when it
     * is not there, not a plain file, or over {@code maxBytes}.
     */
    public static boolean copyTo(Path file, java.io.OutputStream to, long maxBytes) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false; // missing, a link (ELOOP), a directory: nothing to copy
        }
        try (ch) {
            if (!Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) return false;
            long size = ch.size();
            if (size > maxBytes) return false;
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long at = 0;
            while (at < size) {
                buf.clear().limit((int) Math.min(buf.capacity(), size - at));
                int n = ch.read(buf, at);
                if (n <= 0) break;
                to.write(buf.array(), 0, n);
                at += n;
            }
            return true;
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
