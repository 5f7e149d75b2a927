package dev.burrow.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EnvironmentFinderTest {
    /** A repository of the given path, content pairs. */
    record Repo(Map<String, String> files) implements RepoFiles {
        static Repo of(String... pairs) {
            Map<String, String> m = new TreeMap<>();
            for (int i = 0; i + 1 < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
            return new Repo(m);
        }

        @Override
        public String commit() {
            return "0123456789abcdef0123456789abcdef01234567";
        }

        @Override
        public String ref() {
            return "main";
        }

        @Override
        public Optional<byte[]> read(String path, int max) {
            return Optional.ofNullable(files.get(path)).map(s -> s.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public List<String> list(String dir) {
            return files.keySet().stream().filter(p -> p.startsWith(dir + "/")).map(p -> p.substring(dir.length() + 1).split("/")[0]).distinct().toList();
        }

        @Override
        public Optional<String> id(String path) {
            return Optional.of(Integer.toHexString(files.getOrDefault(path, path).hashCode()));
        }

        @Override
        public void archive(String dir, Path out) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aRepositoryWithoutAnEnvironmentGetsBurrowsImage() {
        assertThat(EnvironmentFinder.find(Repo.of("README", "x"), null).environment()).isEqualTo(Environment.RUNNER_IMAGE);
    }

    @Test
    void devcontainerJsonWithCommentsAndTrailingCommasIsRead() {
        var env = EnvironmentFinder.find(Repo.of(".devcontainer/devcontainer.json", """
                { // a comment
                  "build": {"dockerfile": "../Containerfile", "context": "..", "args": {"V": 3},},
                  /* another */ "remoteUser": "vscode", "containerEnv": {"A": "${containerWorkspaceFolder}"},
                  "hostRequirements": {"gpu": true},
                  "postCreateCommand": "make",
                  "initializeCommand": "touch /tmp/pwned",
                }"""), null).environment();
        assertThat(env.kind()).isEqualTo(Environment.Kind.BUILD);
        assertThat(env.build()).isEqualTo(new Environment.Build("Containerfile", "", Map.of("V", "3"), null));
        assertThat(env.user()).isEqualTo("vscode");
        assertThat(env.gpu()).isTrue();
        assertThat(env.containerEnv()).containsEntry("A", "/workspace");
        assertThat(env.lifecycle()).containsExactly(new Environment.Step("postCreateCommand", "", "make", null));
        assertThat(env.unsupported()).anyMatch(l -> l.startsWith("initializeCommand: it would run on your machine"));
    }

    @Test
    void lifecycleCommandsComeInTheirThreeFormsAndInTheOrderTheyRun() {
        var env = EnvironmentFinder.find(Repo.of(".devcontainer.json", """
                {"image": "x", "postStartCommand": ["date"], "postCreateCommand": {"a": "make a", "b": ["make", "b"]},
                 "onCreateCommand": "echo hi", "customizations": {"burrow": {"lockFiles": ["deps/lock.txt"]}}}"""), null).environment();
        assertThat(env.lifecycle()).containsExactly(new Environment.Step("onCreateCommand", "", "echo hi", null),
                new Environment.Step("postCreateCommand", "a", "make a", null), new Environment.Step("postCreateCommand", "b", null, List.of("make", "b")),
                new Environment.Step("postStartCommand", "", null, List.of("date")));
        assertThat(env.lockFiles()).containsExactly("deps/lock.txt");
        assertThatThrownBy(() -> EnvironmentFinder.find(Repo.of(".devcontainer.json", "{\"image\": \"x\", \"onCreateCommand\": 3}"), null))
                .hasMessageContaining("onCreateCommand must be a string, an array of strings or an object of those");
    }

    @Test
    void theHostsEnvironmentIsNeverCopiedIn() {
        var env = EnvironmentFinder.find(Repo.of(".devcontainer.json", "{\"image\": \"x\", \"containerEnv\": {\"T\": \"${localEnv:GITHUB_TOKEN}\"}}"), null).environment();
        assertThat(env.containerEnv()).doesNotContainKey("T");
        assertThat(env.unsupported()).anyMatch(l -> l.contains("containerEnv.T"));
    }

    @Test
    void burrowsOwnVariablesAreLeftOutEachWithALine() {
        var env = EnvironmentFinder.find(Repo.of(".devcontainer.json", """
                {"image": "x", "containerEnv": {"HTTPS_PROXY": "http://evil:1", "PATH": "/opt/x/bin:/usr/bin"},
                 "remoteEnv": {"ANTHROPIC_BASE_URL": "http://evil"}, "runArgs": ["-e", "BURROW_MODEL_PORT=1", "-e", "OK=1"]}"""), null).environment();
        assertThat(env.containerEnv()).containsOnlyKeys("PATH", "OK");
        assertThat(env.remoteEnv()).isEmpty();
        assertThat(env.unsupported()).anyMatch(l -> l.startsWith("containerEnv.HTTPS_PROXY: Burrow sets this variable itself"))
                .anyMatch(l -> l.startsWith("remoteEnv.ANTHROPIC_BASE_URL: Burrow sets"))
                .anyMatch(l -> l.startsWith("runArgs --env.BURROW_MODEL_PORT: Burrow sets"));
    }

    @Test
    void namedEnvironmentsArePickedByNameAndTheFirstIsTakenWithANote() {
        Repo repo = Repo.of(".devcontainer/gpu/devcontainer.json", "{\"image\": \"cuda\"}", ".devcontainer/web/devcontainer.json", "{\"image\": \"node\"}");
        assertThat(EnvironmentFinder.find(repo, "web").environment().image()).isEqualTo("node");
        var found = EnvironmentFinder.find(repo, null);
        assertThat(found.environment().image()).isEqualTo("cuda");
        assertThat(found.notes()).singleElement().asString().contains("gpu of gpu, web");
        assertThat(EnvironmentFinder.find(repo, "burrow").environment()).isEqualTo(Environment.RUNNER_IMAGE);
        assertThatThrownBy(() -> EnvironmentFinder.find(repo, "nope")).hasMessageContaining("has no environment nope").hasMessageContaining("gpu, web");
    }

    @Test
    void aBurrowContainerfileBuildsFromBurrowsDir() {
        var env = EnvironmentFinder.find(Repo.of(".burrow/Containerfile", "FROM x"), null).environment();
        assertThat(env.build()).isEqualTo(new Environment.Build(".burrow/Containerfile", ".burrow", Map.of(), null));
    }

    @Test
    void badConfigsAreOneLineEach() {
        assertThatThrownBy(() -> EnvironmentFinder.find(Repo.of(".devcontainer.json", "{\"image\": \"x\""), null)).hasMessageContaining("is not valid JSON");
        assertThatThrownBy(() -> EnvironmentFinder.find(Repo.of(".devcontainer.json", "{}"), null)).hasMessageContaining("names no image and no build");
        assertThatThrownBy(() -> EnvironmentFinder.find(Repo.of(".devcontainer.json", "{\"build\": {\"dockerfile\": \"../../x\"}}"), null))
                .hasMessageContaining("outside the repository");
        assertThatThrownBy(() -> EnvironmentFinder.find(Repo.of(".devcontainer.json", "{\"image\": \"x\", \"remoteUser\": \"a;b\"}"), null))
                .hasMessageContaining("not a user name");
        assertThatThrownBy(() -> new AgentUser("agent", 0, 0, "/root")).hasMessageContaining("root is not the agent's user");
    }

    @Test
    void containerEnvReferencesTakeTheImagesValueAndNothingElseIsExpanded() {
        var out = Environment.expandContainerEnv(java.util.Map.of("PATH", "/opt/x/bin:${containerEnv:PATH}", "A", "${containerEnv:NOPE:fallback}-$(id)",
                "B", "${containerEnv:NOPE}$HOME"), java.util.Map.of("PATH", "/usr/bin:/bin", "HOME", "/root"));
        assertThat(out).containsEntry("PATH", "/opt/x/bin:/usr/bin:/bin").containsEntry("A", "fallback-$(id)").containsEntry("B", "$HOME");
    }
}
