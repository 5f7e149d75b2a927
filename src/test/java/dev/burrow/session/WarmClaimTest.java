package dev.burrow.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.container.RunDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The claim FIFO lives in the run dir, which the container writes: its name is never followed, never created. */
class WarmClaimTest {
    @TempDir
    Path tmp;

    Session session() throws Exception {
        Session s = Session.builder("22222222-0000-0000-0000-000000000000", tmp.resolve("s")).build();
        Files.createDirectories(s.runDir());
        return s;
    }

    @Test
    void aWaitingReaderIsWokenAndTheClaimSaysSo() throws Exception {
        Session s = session();
        AgentLaunch.prepareContainerDirs(s, true);
        Path fifo = s.runDir().resolve(RunDir.CLAIM);
        // As runner/burrow-agent-run waits: one read of the FIFO.
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            try (var in = Files.newInputStream(fifo)) {
                return in.read();
            } catch (Exception e) {
                return -2;
            }
        });
        assertThat(ContainerStarter.claim(s)).isTrue();
        assertThat(reader.get(5, TimeUnit.SECONDS)).isEqualTo((int) '\n');
    }

    @Test
    void nobodyReadingIsNoClaimWithinASecond() throws Exception {
        Session s = session();
        AgentLaunch.prepareContainerDirs(s, true);
        long t0 = System.nanoTime();
        assertThat(ContainerStarter.claim(s)).isFalse();
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(3);
    }

    @Test
    void aLinkOrAFileTheContainerPutThereIsNoClaimAndItsTargetIsUntouched() throws Exception {
        Session s = session();
        Path hostFile = Files.writeString(tmp.resolve("host-secret"), "keep me");
        Path fifo = s.runDir().resolve(RunDir.CLAIM);
        Files.createSymbolicLink(fifo, hostFile);
        assertThat(ContainerStarter.claim(s)).isFalse();
        assertThat(Files.readString(hostFile)).isEqualTo("keep me");
        Files.delete(fifo);
        Files.writeString(fifo, "a file");
        assertThat(ContainerStarter.claim(s)).isFalse();
        Files.delete(fifo);
        assertThat(ContainerStarter.claim(s)).isFalse(); // none at all
        assertThat(Files.exists(fifo)).isFalse();
    }

    @Test
    void aColdContainersRunDirHasNoClaimFifoAndAWarmOnesSecretsDirIsEmpty() throws Exception {
        Session s = session();
        AgentLaunch.prepareContainerDirs(s, true);
        assertThat(Files.exists(s.runDir().resolve(RunDir.CLAIM))).isTrue();
        try (var secrets = Files.list(s.secretsDir())) {
            assertThat(secrets.toList()).isEmpty();
        }
        assertThat(Files.exists(s.pendingSecretsDir())).isFalse();
        AgentLaunch.prepareContainerDirs(s, false);
        assertThat(Files.exists(s.runDir().resolve(RunDir.CLAIM))).isFalse();
    }
}
