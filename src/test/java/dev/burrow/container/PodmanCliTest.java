package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PodmanCliTest {
    static final String OURS = "a".repeat(64);
    static final String FOREIGN = "b".repeat(64);

    static String inspectJson(String id, boolean labelled) {
        return "[{\"Id\":\"" + id + "\",\"Name\":\"n\",\"State\":{\"Status\":\"running\",\"Running\":true,\"ExitCode\":0},"
                + "\"Config\":{\"Labels\":" + (labelled ? "{\"burrow.session\":\"s1\"}" : "{}") + "}}]";
    }

    @Test
    void listsOnlyLabelledContainersFromPsJson() {
        String ps = "[{\"Id\":\"" + OURS + "\",\"Names\":[\"burrow-x\"],\"State\":\"running\",\"ExitCode\":0,\"Labels\":{\"burrow.session\":\"s1\"}},"
                + "{\"Id\":\"" + FOREIGN + "\",\"Names\":[\"other\"],\"State\":\"exited\",\"ExitCode\":3,\"Labels\":null}]";
        ScriptedProcesses p = new ScriptedProcesses(argv -> new ScriptedProcesses.Answer(0, ps, ""));
        List<ContainerState> owned = new PodmanCli(p).listOwned();
        assertThat(owned).extracting(ContainerState::id).containsExactly(OURS);
        assertThat(owned.getFirst().sessionLabel()).isEqualTo("s1");
        assertThat(p.calls.getFirst()).containsSequence("--filter", "label=burrow.session");
    }

    @Test
    void removesOnlyItsOwnContainersAndOnlyByFullId() {
        ScriptedProcesses p = new ScriptedProcesses(argv -> argv.contains("inspect")
                ? new ScriptedProcesses.Answer(0, inspectJson(argv.getLast(), argv.getLast().equals(OURS)), "")
                : new ScriptedProcesses.Answer(0, "", ""));
        PodmanCli podman = new PodmanCli(p);
        podman.remove(FOREIGN);
        assertThat(p.calls).noneMatch(c -> c.contains("rm"));
        podman.remove(OURS);
        assertThat(p.calls).anyMatch(c -> c.equals(List.of("podman", "rm", "--force", "--depend", "--time", "2", OURS)));
        assertThatThrownBy(() -> podman.remove("aaaa")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPrefixMatchIsNotOurs() {
        // podman inspect resolves prefixes and names; Burrow insists on the exact id it recorded.
        ScriptedProcesses p = new ScriptedProcesses(argv -> new ScriptedProcesses.Answer(0, inspectJson(OURS, true), ""));
        assertThat(new PodmanCli(p).inspect("c".repeat(64))).isEmpty();
        assertThat(new PodmanCli(p).inspect(OURS)).isPresent();
    }

    @Test
    void aMissingPodmanSaysHowToInstallIt() {
        ProcessRunner missing = argv -> {
            throw new java.io.IOException("No such file or directory");
        };
        assertThatThrownBy(() -> new PodmanCli(missing).version()).isInstanceOf(ContainerException.class)
                .hasMessageContaining("apt-get install podman");
    }

    @Test
    void runArgvKeepsEveryValueItsOwnElement() {
        ContainerSpec spec = new ContainerSpec("burrow-x", "img", java.util.Map.of("burrow.session", "s1"), "keep-id", null,
                List.of(new Mount(java.nio.file.Path.of("/data/ws; rm -rf x"), "/workspace", false)),
                java.util.Map.of("A", "b c"), "/workspace", List.of(), null, List.of("claude", "-p", "$(boom)"), null);
        List<String> argv = spec.runArgv();
        assertThat(argv).containsSequence("--volume", "/data/ws; rm -rf x:/workspace").containsSequence("--env", "A=b c")
                .endsWith("img", "claude", "-p", "$(boom)");
        assertThatThrownBy(() -> new ContainerSpec("x", "img", java.util.Map.of(), null, null, List.of(), java.util.Map.of(), null,
                List.of(), null, List.of(), null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRunThatFailsAfterMakingItsContainerRemovesItByTheIdItWrote() {
        var exists = new java.util.concurrent.atomic.AtomicBoolean();
        ScriptedProcesses p = new ScriptedProcesses(argv -> {
            if (argv.get(1).equals("run")) {
                // Podman made the container, wrote its id, then hung: killed at its timeout, it printed nothing.
                try {
                    java.nio.file.Files.writeString(java.nio.file.Path.of(argv.get(argv.indexOf("--cidfile") + 1)), OURS + "\n");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                exists.set(true);
                return new ScriptedProcesses.Answer(124, "", "timed out after 120 s: podman run");
            }
            if (argv.get(1).equals("rm")) exists.set(false);
            if (argv.get(1).equals("container")) return new ScriptedProcesses.Answer(exists.get() ? 0 : 1, "", "");
            return new ScriptedProcesses.Answer(0, "", "");
        });
        ContainerSpec spec = new ContainerSpec("burrow-x", "img", java.util.Map.of("burrow.session", "s1"), "keep-id", "none", List.of(),
                java.util.Map.of(), "/workspace", List.of(), null, List.of("true"), null);
        assertThatThrownBy(() -> new PodmanCli(p).run(spec)).isInstanceOf(ContainerException.TimedOut.class)
                .hasMessage("podman run failed: timed out after 120 s: podman run (its container was removed)");
        assertThat(p.calls).contains(List.of("podman", "rm", "--force", "--time", "0", OURS), List.of("podman", "container", "exists", OURS));
        assertThat(exists).isFalse();
    }

    @Test
    void aCacheVolumeIsMadeOnceBeforeTheFirstRunThatMountsItAndThoseThereAreFoundWithOneLook() {
        var made = new java.util.concurrent.atomic.AtomicBoolean();
        ScriptedProcesses p = new ScriptedProcesses(argv -> {
            if (argv.subList(1, 3).equals(List.of("volume", "ls"))) return new ScriptedProcesses.Answer(0, "burrow-cache-npm-x\nother\n", "");
            if (argv.subList(1, 3).equals(List.of("volume", "exists"))) return new ScriptedProcesses.Answer(made.get() ? 0 : 1, "", "");
            if (argv.subList(1, 3).equals(List.of("volume", "create"))) made.set(true);
            return new ScriptedProcesses.Answer(0, argv.get(1).equals("run") ? OURS + "\n" : "", "");
        });
        PodmanCli podman = new PodmanCli(p);
        ContainerSpec spec = new ContainerSpec("burrow-x", "img", java.util.Map.of("burrow.session", "s1"), "keep-id", "none",
                List.of(Mount.volume("burrow-cache-pip-x", "/cache"), Mount.volume("burrow-cache-npm-x", "/npm")), java.util.Map.of(), "/workspace",
                List.of(), null, List.of("true"), null);
        podman.run(spec);
        podman.run(spec);
        assertThat(p.calls).filteredOn(c -> c.get(1).equals("volume")).containsExactly(
                List.of("podman", "volume", "ls", "--format", "{{.Name}}"), List.of("podman", "volume", "create", "burrow-cache-pip-x"));
        assertThat(p.calls.indexOf(List.of("podman", "volume", "create", "burrow-cache-pip-x")))
                .isLessThan(p.calls.indexOf(p.calls.stream().filter(c -> c.get(1).equals("run")).findFirst().orElseThrow()));
    }

    @Test
    void aRunThatLosesTheRaceForAVolumeRemovedBehindBurrowsBackIsTriedOnceMore() {
        var runs = new java.util.concurrent.atomic.AtomicInteger();
        ScriptedProcesses p = new ScriptedProcesses(argv -> {
            if (argv.get(1).equals("run") && runs.incrementAndGet() == 1) {
                return new ScriptedProcesses.Answer(125, "", "Error: creating named volume \"v\": volume with name v already exists: volume already exists");
            }
            return new ScriptedProcesses.Answer(0, argv.get(1).equals("run") ? OURS + "\n" : "", "");
        });
        ContainerSpec spec = new ContainerSpec("burrow-x", "img", java.util.Map.of("burrow.session", "s1"), "keep-id", "none",
                List.of(Mount.volume("v", "/cache")), java.util.Map.of(), "/workspace", List.of(), null, List.of("true"), null);
        assertThat(new PodmanCli(p).run(spec)).isEqualTo(OURS);
        assertThat(runs).hasValue(2);
    }
}
