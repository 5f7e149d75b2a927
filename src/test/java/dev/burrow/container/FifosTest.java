package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writing to a FIFO the container controls: never a wait on it, never a thread or an open file
 * left behind, whatever it does with the name (the red team's swapped and filled FIFOs).
 */
class FifosTest {
    @TempDir
    Path dir;

    @Test
    void aLineReachesTheReader() throws Exception {
        Path fifo = mkfifo("a.fifo");
        var read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readString(fifo);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, java.util.concurrent.Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory()));
        assertThat(HostileFiles.writeFifo(fifo, "hello\n".getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(5))).isTrue();
        assertThat(read.get()).isEqualTo("hello\n");
    }

    @Test
    void noReaderIsFalseAfterTheWaitWithNothingLeftBehind() throws Exception {
        Path fifo = mkfifo("b.fifo");
        long fds = openFiles();
        int threads = Thread.activeCount();
        for (int i = 0; i < 20; i++) assertThat(HostileFiles.writeFifo(fifo, "x\n".getBytes(), Duration.ZERO)).isFalse();
        long t0 = System.nanoTime();
        assertThat(HostileFiles.writeFifo(fifo, "x\n".getBytes(), Duration.ofMillis(300))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(2));
        assertThat(openFiles()).isLessThanOrEqualTo(fds);
        assertThat(Thread.activeCount()).isLessThanOrEqualTo(threads);
    }

    @Test
    void aFullPipeIsFalseAtOnce() throws Exception {
        Path fifo = mkfifo("c.fifo");
        // Held open read-write and filled by "the container": nothing more fits.
        try (FileChannel held = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            held.write(ByteBuffer.allocate(65536));
            long t0 = System.nanoTime();
            assertThat(HostileFiles.writeFifo(fifo, "x\n".getBytes(), Duration.ofSeconds(5))).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void aLinkOrAPlainFileAtTheNameGetsNothing() throws Exception {
        Path target = Files.writeString(dir.resolve("host-file"), "untouched");
        Files.createSymbolicLink(dir.resolve("link.fifo"), mkfifo("real.fifo"));
        assertThat(HostileFiles.writeFifo(dir.resolve("link.fifo"), "x\n".getBytes(), Duration.ZERO)).isFalse();
        Files.createSymbolicLink(dir.resolve("file-link.fifo"), target);
        assertThat(HostileFiles.writeFifo(dir.resolve("file-link.fifo"), "x\n".getBytes(), Duration.ZERO)).isFalse();
        assertThat(HostileFiles.writeFifo(target, "x\n".getBytes(), Duration.ZERO)).isFalse();
        assertThat(Files.readString(target)).isEqualTo("untouched");
    }

    @Test
    void theOpenFlagsAreLinuxsForEachArchitecture() {
        assertThat(Fifos.flags("amd64")).isEqualTo(01 | 04000 | 02000000 | 0400000);
        assertThat(Fifos.flags("aarch64")).isEqualTo(01 | 04000 | 02000000 | 0100000);
        assertThat(Fifos.flags("riscv-something")).isEqualTo(-1);
    }

    private Path mkfifo(String name) throws Exception {
        Path p = dir.resolve(name);
        assertThat(new ProcessBuilder("mkfifo", p.toString()).start().waitFor()).isZero();
        return p;
    }

    private static long openFiles() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
