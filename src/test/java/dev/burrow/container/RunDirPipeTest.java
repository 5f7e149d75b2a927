package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The run dir is written by the container: what Burrow reads there is never a link or a FIFO. */
class RunDirPipeTest {
    @TempDir
    Path tmp;

    @Test
    void outputIsReadFromAnyOffsetAndTheExitCodeOnceWritten() throws Exception {
        Files.writeString(tmp.resolve(RunDir.OUTPUT), "one\ntwo\n");
        try (RunDirPipe pipe = new RunDirPipe(tmp)) {
            ByteBuffer buf = ByteBuffer.allocate(64);
            assertThat(pipe.read(4, buf)).isEqualTo(4);
            assertThat(new String(buf.array(), 0, 4)).isEqualTo("two\n");
            assertThat(pipe.size()).isEqualTo(8);
            assertThat(pipe.exitCode()).isEmpty();
            Files.writeString(tmp.resolve(RunDir.EXIT), "3\n");
            assertThat(pipe.exitCode()).isEqualTo(OptionalInt.of(3));
        }
    }

    @Test
    @Timeout(10)
    void linksAndFifosPlantedByTheContainerAreNeitherFollowedNorWaitedOn() throws Exception {
        Path secret = Files.writeString(tmp.resolveSibling(tmp.getFileName() + "-secret"), "host secret\n");
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.createSymbolicLink(run.resolve(RunDir.OUTPUT), secret);
        Process mkfifo = new ProcessBuilder("mkfifo", run.resolve(RunDir.EXIT).toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        try (RunDirPipe pipe = new RunDirPipe(run)) {
            assertThat(pipe.read(0, ByteBuffer.allocate(64))).isZero();
            assertThat(pipe.size()).isZero();
            assertThat(pipe.exitCode()).isEqualTo(OptionalInt.of(-1)); // ended, and nothing read from the FIFO
        } finally {
            Files.deleteIfExists(secret);
        }
    }

    @Test
    @Timeout(10)
    void aWriteToAnAgentThatStoppedReadingFailsInsteadOfHangingAndTheNextOneReopens() throws Exception {
        assertThat(new ProcessBuilder("mkfifo", tmp.resolve(RunDir.INPUT).toString()).start().waitFor()).isZero();
        try (RunDirPipe pipe = new RunDirPipe(tmp, 300)) {
            String line = "x".repeat(200 * 1024); // more than a pipe holds, and nobody reads
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> pipe.write(line)).isInstanceOf(IOException.class).hasMessageContaining("has not read its input");
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
            pipe.write("small"); // a fresh channel: fits in the pipe
        }
    }

    @Test
    @Timeout(10)
    void aFifoOrALinkReadsAsNothingAndNeverBlocks() throws Exception {
        Path fifo = tmp.resolve("err.log");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThat(HostileFiles.readTail(fifo, 1024)).isEmpty();
        Path secret = Files.writeString(tmp.resolve("secret"), "secret\n");
        Files.createSymbolicLink(tmp.resolve("link"), secret);
        assertThat(HostileFiles.readTail(tmp.resolve("link"), 1024)).isEmpty();
        Files.writeString(tmp.resolve("log"), "a\nb\nc\n");
        assertThat(new String(HostileFiles.readTail(tmp.resolve("log"), 4).orElseThrow())).isEqualTo("b\nc\n");
    }
}
