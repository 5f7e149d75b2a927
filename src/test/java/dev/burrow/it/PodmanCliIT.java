package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.container.ContainerSpec;
import dev.burrow.container.Exec;
import dev.burrow.container.ExecResult;
import dev.burrow.container.ContainerState;
import dev.burrow.container.PodmanCli;
import dev.burrow.container.ProcessRunner;
import dev.burrow.container.RunnerImage;
import dev.burrow.container.RunnerOffers;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The podman adapter against real rootless podman. */
class PodmanCliIT {
    final PodmanCli podman = new PodmanCli(ProcessRunner.SYSTEM);
    final String image = RunnerImage.fromClasspath().tag();

    @Test
    void imageReadsThroughTheApiSocketAnswerAsTheCliDoesInAFractionOfTheTime(@org.junit.jupiter.api.io.TempDir Path tmp) {
        TestEnv.requireContainers();
        try (dev.burrow.host.PodmanService service = new dev.burrow.host.PodmanService(System.getenv(), tmp.resolve("runtime"))) {
            Path socket = service.socket().orElseThrow();
            PodmanCli viaApi = new PodmanCli(ProcessRunner.SYSTEM);
            viaApi.readImagesThrough(() -> java.util.Optional.of(socket));
            String id = podman.imageId(image).orElseThrow();
            assertThat(viaApi.imageId(image)).contains(id);
            assertThat(viaApi.imageId(id)).contains(id);
            assertThat(viaApi.imageLabels(image)).isEqualTo(podman.imageLabels(image)).get().asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsKey("burrow.runner");
            assertThat(viaApi.imageEnv(image)).isEqualTo(podman.imageEnv(image)).containsKey("PATH");
            assertThat(viaApi.imageId("localhost/no-such-image:x")).isEmpty();
            assertThat(viaApi.imageLabels("localhost/no-such-image:x")).isEmpty();
            assertThat(viaApi.imageEnv("localhost/no-such-image:x")).isEmpty();
            // A socket that does not answer: the CLI answers instead.
            PodmanCli broken = new PodmanCli(ProcessRunner.SYSTEM);
            broken.readImagesThrough(() -> java.util.Optional.of(tmp.resolve("nothing.sock")));
            assertThat(broken.imageId(image)).contains(id);
        }
    }

    @Test
    void runsInspectsExecsAndRemovesItsOwnContainers() {
        TestEnv.requireContainers();
        assertThat(podman.version()).matches("\\d+\\.\\d+.*");
        assertThat(podman.info()).containsEntry("rootless", "true");
        ContainerSpec spec = new ContainerSpec("burrow-podman-it-" + System.nanoTime(), image, Map.of("burrow.session", "podman-it"),
                "keep-id:uid=1000,gid=1000", null, List.of(), Map.of("GREETING", "hello there"), "/tmp", List.of(), null,
                List.of("sleep", "300"), null);
        String id = podman.run(spec);
        try {
            assertThat(id).hasSize(64);
            ContainerState state = podman.inspect(id).orElseThrow();
            assertThat(state.running()).isTrue();
            assertThat(state.sessionLabel()).isEqualTo("podman-it");
            assertThat(podman.listOwned()).extracting(ContainerState::id).contains(id);
            assertThat(podman.exec(id, List.of("sh", "-c", "echo $GREETING; id -u")).stdout()).isEqualTo("hello there\n1000\n");
        } finally {
            podman.remove(id);
        }
        assertThat(podman.inspect(id)).isEmpty();
        assertThat(podman.listOwned()).extracting(ContainerState::id).doesNotContain(id);
    }

    @Test
    void sessionsStartingAtOnceShareACacheVolumeNoneHasYet() throws Exception {
        TestEnv.requireContainers();
        // Left to podman run, concurrent runs that mount volumes not made yet race to make them and all but one may fail.
        // As many at once as Burrow starts (BURROW_MAX_STARTS): Podman 4.3 can hang 8 plain runs at once on its own.
        String prefix = "burrow-podman-it-cache-" + System.nanoTime() + "-";
        List<dev.burrow.container.Mount> caches = java.util.stream.IntStream.range(0, 6)
                .mapToObj(k -> dev.burrow.container.Mount.volume(prefix + k, "/cache" + k)).toList();
        List<java.util.concurrent.Future<String>> runs = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) {
                ContainerSpec spec = new ContainerSpec("burrow-volume-it-" + i + "-" + System.nanoTime(), image, Map.of("burrow.session", "podman-it"),
                        "keep-id:uid=1000,gid=1000", "none", caches, Map.of(), "/tmp",
                        List.of(), null, List.of("sleep", "300"), null);
                runs.add(pool.submit(() -> podman.run(spec)));
            }
        }
        List<String> ids = new java.util.ArrayList<>();
        List<String> failures = new java.util.ArrayList<>();
        for (var r : runs) {
            try {
                ids.add(r.get());
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause().getMessage());
            }
        }
        try {
            assertThat(failures).as("runs that failed").isEmpty();
            assertThat(ids).hasSize(4);
        } finally {
            ids.forEach(podman::remove);
            List<String> rm = new java.util.ArrayList<>(List.of("podman", "volume", "rm", "--force"));
            caches.forEach(c -> rm.add(c.volume()));
            new ProcessBuilder(rm).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    @Test
    void theRunnerSeamCreatesStartsCopiesExecsWithCapsAndStops() throws Exception {
        TestEnv.requireContainers();
        assertThat(podman.offers()).isEqualTo(new RunnerOffers(true, true, true, true));
        ContainerSpec spec = new ContainerSpec("burrow-seam-it-" + System.nanoTime(), image, Map.of("burrow.session", "podman-it"),
                "keep-id:uid=1000,gid=1000", "none", List.of(), Map.of(), "/tmp", List.of(), null, List.of("sleep", "300"), null);
        String id = podman.create(spec);
        try {
            assertThat(podman.inspect(id).orElseThrow().running()).isFalse();
            podman.start(id);
            assertThat(podman.inspect(id).orElseThrow().running()).isTrue();

            // A tar in, the same path out as a tar.
            ByteArrayOutputStream tar = new ByteArrayOutputStream();
            Path src = Files.createTempDirectory("seam-");
            Files.writeString(src.resolve("hello.txt"), "hello from the host\n");
            Process p = new ProcessBuilder("tar", "-C", src.toString(), "-c", "hello.txt").start();
            podman.copyIn(id, "/tmp", p.getInputStream());
            assertThat(podman.exec(id, List.of("cat", "/tmp/hello.txt")).stdout()).isEqualTo("hello from the host\n");
            podman.copyOut(id, "/tmp/hello.txt", tar, 1024 * 1024);
            assertThat(tar.toString(StandardCharsets.ISO_8859_1)).contains("hello.txt").contains("hello from the host");

            // stdin in, stdout capped, and a timeout that kills.
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ExecResult echoed = podman.exec(id, new Exec(List.of("cat"), "piped in".getBytes(), 1024, Duration.ofSeconds(30)), out);
            assertThat(echoed.ok()).isTrue();
            assertThat(out.toString()).isEqualTo("piped in");
            ExecResult flood = podman.exec(id, Exec.of(List.of("head", "-c", "100000", "/dev/zero"), 1000, Duration.ofSeconds(30)),
                    OutputStream.nullOutputStream());
            assertThat(flood.exitCode()).isEqualTo(125);
            assertThat(flood.stderr()).contains("more than 1000 bytes");
            ExecResult slow = podman.exec(id, Exec.of(List.of("sleep", "30"), 1000, Duration.ofSeconds(1)), OutputStream.nullOutputStream());
            assertThat(slow.exitCode()).isEqualTo(124);

            podman.stop(id);
            assertThat(podman.inspect(id).orElseThrow().running()).isFalse();
        } finally {
            podman.remove(id);
        }
        assertThat(podman.inspect(id)).isEmpty();

        // A throwaway container: its output streamed back, nothing left behind.
        ContainerSpec once = new ContainerSpec("burrow-once-it-" + System.nanoTime(), image, Map.of("burrow.session", "podman-it"),
                "keep-id:uid=1000,gid=1000", "none", List.of(), Map.of(), "/tmp", List.of(), null, List.of("echo", "once"), null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(podman.runOnce(once, 1024, Duration.ofSeconds(60), out).ok()).isTrue();
        assertThat(out.toString()).isEqualTo("once\n");
        assertThat(podman.listOwned()).extracting(ContainerState::name).doesNotContain(once.name());
    }

    @Test
    void neverTouchesAContainerItDidNotLabel() throws Exception {
        TestEnv.requireContainers();
        String foreign = TestEnv.podman("run", "-d", "--rm", image, "sleep", "300").lines().reduce((a, b) -> b).orElseThrow();
        try {
            assertThat(podman.inspect(foreign)).isEmpty();
            assertThat(podman.listOwned()).extracting(ContainerState::id).doesNotContain(foreign);
            podman.remove(foreign);
            assertThat(TestEnv.podman("container", "inspect", "--format", "{{.State.Running}}", foreign)).isEqualTo("true");
        } finally {
            TestEnv.podman("rm", "-f", "-t", "0", foreign);
        }
    }
}
