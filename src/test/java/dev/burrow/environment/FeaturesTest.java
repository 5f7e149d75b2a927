package dev.burrow.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burrow.siblings.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturesTest {
    @TempDir
    Path tmp;

    private static Environment env(EnvironmentFinderTest.Repo repo) {
        return EnvironmentFinder.find(repo, null).environment();
    }

    @Test
    void aLocalFeatureRunsItsInstallShWithItsOptionsFromAFileNeverFromTheContainerfile() {
        var repo = EnvironmentFinderTest.Repo.of(".devcontainer/devcontainer.json", "{\"image\": \"x\", \"features\": {\"./tool\": {\"my-opt\": \"it's; rm -rf /\"}, \"ghcr.io/a/b:1\": {}}}",
                ".devcontainer/tool/devcontainer-feature.json", "{\"id\": \"tool\", \"options\": {\"my-opt\": {\"default\": \"d\"}, \"other\": {\"default\": true}}}",
                ".devcontainer/tool/install.sh", "#!/bin/sh\n");
        Environment e = env(repo);
        assertThat(e.features()).containsExactly(new Environment.Feature(".devcontainer/tool", Map.of("my-opt", "it's; rm -rf /")));
        assertThat(e.unsupported()).anyMatch(l -> l.startsWith("features.ghcr.io/a/b:1: features from a registry are not supported"));
        Map<String, String> files = Features.files(e, repo, "0".repeat(64));
        assertThat(files.get("burrow-features/0.env")).isEqualTo("MY_OPT='it'\\''s; rm -rf /'\nOTHER='true'\n_REMOTE_USER='agent'\n_CONTAINER_USER='agent'\n");
        assertThat(files.get("burrow-features/Containerfile")).startsWith("FROM " + "0".repeat(64) + "\nUSER root\nCOPY tool /tmp/burrow-features/0\n")
                .doesNotContain("rm -rf /'");
    }

    @Test
    void aFeatureOutsideTheConfigsFolderOrWithoutInstallShIsOneLine() {
        var outside = EnvironmentFinderTest.Repo.of(".devcontainer/devcontainer.json", "{\"image\": \"x\", \"features\": {\"./../tool\": {}}}",
                "tool/devcontainer-feature.json", "{}", "tool/install.sh", "");
        assertThatThrownBy(() -> Features.files(env(outside), outside, "0".repeat(64))).hasMessageContaining("must be a folder beside it");
        var bare = EnvironmentFinderTest.Repo.of(".devcontainer/devcontainer.json", "{\"image\": \"x\", \"features\": {\"./tool\": {}}}",
                ".devcontainer/tool/devcontainer-feature.json", "{}");
        assertThatThrownBy(() -> Features.files(env(bare), bare, "0".repeat(64))).hasMessageContaining("has no install.sh");
    }

    @Test
    void burrowsFilesGoAfterTheArchivesEntriesInOneTar() throws Exception {
        Path archive = tmp.resolve("a.tar");
        try (OutputStream o = Files.newOutputStream(archive)) {
            TarWriter w = new TarWriter(o);
            w.file("tool/install.sh", 0755, 0, 3, new ByteArrayInputStream("abc".getBytes()));
            w.finish();
        }
        Path out = tmp.resolve("b.tar");
        Features.context(archive, Map.of("burrow-features/Containerfile", "FROM x\n"), out);
        Process p = new ProcessBuilder("tar", "-tf", out.toString()).redirectErrorStream(true).start();
        assertThat(new String(p.getInputStream().readAllBytes()).lines().toList())
                .isEqualTo(List.of("tool/install.sh", "burrow-features/", "burrow-features/Containerfile"));
    }
}
