package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.container.ContainerSpec;
import dev.burrow.container.ContainerState;
import dev.burrow.container.PodmanCli;
import dev.burrow.container.ProcessRunner;
import dev.burrow.container.RunnerImage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The podman adapter against real rootless podman. */
class PodmanCliIT {
    final PodmanCli podman = new PodmanCli(ProcessRunner.SYSTEM);
    final String image = RunnerImage.fromClasspath().tag();

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
