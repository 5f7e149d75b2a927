package dev.burrow.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.container.RunDir;
import dev.burrow.workspace.WorkBundle;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The save through the run dir, against a stand-in for the container's side (runner/burrow-agent-run
 * serves it in a real container: the ITs' saves go through it). The run dir is the container's:
 * each of its tricks means "not served", and the save goes through exec instead.
 */
class RunDirSaveTest {
    @TempDir
    Path run;

    private static final List<String> ARGV = WorkBundle.argv("burrow/0123abcd", "a".repeat(40), "0123abcd");

    @Test
    void theContainersAnswerToThisRequestIsCopiedOut() throws Exception {
        mkfifo(run.resolve(RunDir.SAVE_REQUEST));
        CompletableFuture<String> request = serve((nonce, out) -> answer(nonce, "burrow-save 1 " + "b".repeat(40) + " -\n", 0));
        ByteArrayOutputStream into = new ByteArrayOutputStream();
        assertThat(RunDirSave.save(run, ARGV, into, 1 << 20, Duration.ofSeconds(10))).isTrue();
        assertThat(into.toString(StandardCharsets.UTF_8)).isEqualTo("burrow-save 1 " + "b".repeat(40) + " -\n");
        assertThat(request.get()).matches("1 [0-9a-f]{32} burrow/0123abcd a{40} 0123abcd");
        // Nothing of it stays in the run dir.
        assertThat(run.resolve(RunDir.SAVE_OUTPUT)).doesNotExist();
        assertThat(run.resolve(RunDir.SAVE_DONE)).doesNotExist();
    }

    @Test
    void noOneReadingTheFifoIsNotServedAndDoesNotHang() throws Exception {
        mkfifo(run.resolve(RunDir.SAVE_REQUEST));
        long t0 = System.nanoTime();
        assertThat(RunDirSave.save(run, ARGV, new ByteArrayOutputStream(), 1 << 20, Duration.ofSeconds(10))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aFileOrALinkAtTheFifosNameIsNeverWrittenThrough() throws Exception {
        Path elsewhere = Files.writeString(run.resolveSibling(run.getFileName() + "-host-file"), "untouched");
        Files.createSymbolicLink(run.resolve(RunDir.SAVE_REQUEST), elsewhere);
        assertThat(RunDirSave.save(run, ARGV, new ByteArrayOutputStream(), 1 << 20, Duration.ofSeconds(10))).isFalse();
        assertThat(Files.readString(elsewhere)).isEqualTo("untouched");
        Files.delete(run.resolve(RunDir.SAVE_REQUEST));
        Files.writeString(run.resolve(RunDir.SAVE_REQUEST), "");
        assertThat(RunDirSave.save(run, ARGV, new ByteArrayOutputStream(), 1 << 20, Duration.ofSeconds(10))).isFalse();
        assertThat(Files.readString(run.resolve(RunDir.SAVE_REQUEST))).isEmpty();
        Files.delete(elsewhere);
    }

    @Test
    void anOutputThatIsALinkIsNotFollowed() throws Exception {
        Path hostFile = Files.writeString(run.resolveSibling(run.getFileName() + "-host-secret"), "burrow-save 1 " + "c".repeat(40) + " -\n");
        mkfifo(run.resolve(RunDir.SAVE_REQUEST));
        serve((nonce, out) -> {
            try {
                Files.createSymbolicLink(run.resolve(RunDir.SAVE_OUTPUT), hostFile);
                Files.writeString(run.resolve(RunDir.SAVE_DONE), nonce + " 0\n");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        ByteArrayOutputStream into = new ByteArrayOutputStream();
        assertThat(RunDirSave.save(run, ARGV, into, 1 << 20, Duration.ofSeconds(10))).isFalse();
        assertThat(into.size()).isZero();
        Files.delete(hostFile);
    }

    @Test
    void aFailedSaveAnAnswerToAnotherRequestOrAnOutputOverTheBoundIsNotServed() throws Exception {
        mkfifo(run.resolve(RunDir.SAVE_REQUEST));
        serve((nonce, out) -> answer(nonce, "burrow-save 1 ", 4));
        assertThat(RunDirSave.save(run, ARGV, new ByteArrayOutputStream(), 1 << 20, Duration.ofSeconds(10))).isFalse();

        serve((nonce, out) -> answer("f".repeat(32), "burrow-save 1 " + "b".repeat(40) + " -\n", 0));
        long t0 = System.nanoTime();
        assertThat(RunDirSave.save(run, ARGV, new ByteArrayOutputStream(), 1 << 20, Duration.ofSeconds(2))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));

        serve((nonce, out) -> answer(nonce, "x".repeat(2000), 0));
        ByteArrayOutputStream into = new ByteArrayOutputStream();
        assertThat(RunDirSave.save(run, ARGV, into, 1000, Duration.ofSeconds(10))).isFalse();
        assertThat(into.size()).isZero();
    }

    /** The container's side, once: reads one request, then answers as {@code answer} does (given the nonce). */
    private CompletableFuture<String> serve(BiConsumer<String, Path> answer) {
        CompletableFuture<String> request = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> { // a FIFO's open blocks its carrier: not a virtual thread
            try {
                String line = Files.readString(run.resolve(RunDir.SAVE_REQUEST)).strip();
                request.complete(line);
                answer.accept(line.split(" ")[1], run.resolve(RunDir.SAVE_OUTPUT));
            } catch (Exception e) {
                request.completeExceptionally(e);
            }
        });
        return request;
    }

    private void answer(String nonce, String output, int exitCode) {
        try {
            Files.writeString(run.resolve(RunDir.SAVE_OUTPUT), output);
            Files.writeString(run.resolve(RunDir.SAVE_DONE), nonce + " " + exitCode + "\n");
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static void mkfifo(Path p) throws Exception {
        assertThat(new ProcessBuilder("mkfifo", p.toString()).start().waitFor()).isZero();
    }
}
