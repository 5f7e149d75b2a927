package dev.burrow.container;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A line into a FIFO a container reads, without ever waiting on the container: open(2) with
 * O_WRONLY|O_NONBLOCK|O_NOFOLLOW through the C library (JNA, which pty4j brings; the JDK opens
 * FIFOs only blocking). Such an open fails at once (ENXIO) when no one reads, and the write fails
 * at once (EAGAIN) when the pipe is full, so a container that swaps the FIFO, or holds it open
 * and full, costs Burrow no thread and no open file: it only gets no line.
 */
final class Fifos {
    private static final int ENXIO = 6;
    private static final int EINTR = 4;
    // At most this much is written, in one write(2): up to PIPE_BUF, a pipe write is all or nothing.
    static final int MAX_LINE = 4096;

    private interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        long write(int fd, byte[] buf, long count) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final LibC C = load();
    // The flags differ by architecture (Linux): O_NOFOLLOW is 0400000 on x86-64, 0100000 on arm64.
    private static final int FLAGS = flags(System.getProperty("os.arch", ""));

    private Fifos() {
    }

    private static LibC load() {
        try {
            return Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }

    static int flags(String arch) {
        int wrOnly = 01, nonBlock = 04000, cloExec = 02000000;
        int noFollow = switch (arch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> 0400000;
            case "aarch64", "arm64" -> 0100000;
            default -> -1;
        };
        return noFollow < 0 ? -1 : wrOnly | nonBlock | cloExec | noFollow;
    }

    /**
     * Writes {@code line} into the FIFO, trying for {@code forAReader} while no one has it open
     * for reading; false when no one did, the name is a link or not writable, or the pipe is full.
     */
    static boolean write(Path fifo, byte[] line, Duration forAReader) {
        if (C == null || FLAGS < 0 || line.length > MAX_LINE) return false;
        long deadline = System.nanoTime() + forAReader.toNanos();
        while (true) {
            int fd;
            try {
                fd = C.open(fifo.toString(), FLAGS);
            } catch (LastErrorException e) {
                if ((e.getErrorCode() != ENXIO && e.getErrorCode() != EINTR) || System.nanoTime() > deadline) return false;
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                continue;
            }
            try {
                return C.write(fd, line, line.length) == line.length;
            } catch (LastErrorException e) {
                return false; // a full pipe (EAGAIN), or a name that is no FIFO any more
            } finally {
                try {
                    C.close(fd);
                } catch (LastErrorException ignored) {
                    // closed either way
                }
            }
        }
    }
}
