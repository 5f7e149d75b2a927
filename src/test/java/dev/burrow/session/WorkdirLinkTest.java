package dev.burrow.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.environment.Environment;
import dev.burrow.environment.RepoFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkdirLinkTest {
    /** Files with their content, folders implied by them, and links (git has them, as neither). */
    record Repo(Map<String, String> files, Set<String> links) implements RepoFiles {
        public String commit() {
            return "0".repeat(40);
        }

        public String ref() {
            return "main";
        }

        public Optional<byte[]> read(String path, int max) {
            return Optional.ofNullable(files.get(path)).map(s -> s.getBytes(StandardCharsets.UTF_8));
        }

        public List<String> list(String dir) {
            return files.keySet().stream().filter(p -> p.startsWith(dir + "/")).map(p -> p.substring(dir.length() + 1).split("/")[0]).distinct().toList();
        }

        public Optional<String> id(String path) {
            return files.containsKey(path) || links.contains(path) || !list(path).isEmpty() ? Optional.of("1".repeat(40)) : Optional.empty();
        }

        public void archive(String dir, Path out) {
            throw new UnsupportedOperationException();
        }
    }

    static Environment env(String workdir, Repo repo) {
        String json = "{\"image\": \"x\", \"workspaceFolder\": \"" + workdir + "\"}";
        var files = new Repo(new java.util.TreeMap<>(Map.of(".devcontainer.json", json)), repo.links());
        files.files().putAll(repo.files());
        return dev.burrow.environment.EnvironmentFinder.find(files, null).environment();
    }

    @Test
    void aWorkspaceFolderReachedThroughALinkOfTheRepositoryIsRefusedWithALine() {
        var repo = new Repo(Map.of("app/src/main.c", "int main;"), Set.of("out"));
        List<String> lines = new ArrayList<>();
        var run = ContainerStarter.linkFreeWorkdir(env("/workspace/out/app", repo), repo, lines::add);
        assertThat(run.workdir()).isEqualTo(Environment.WORKSPACE);
        assertThat(lines).singleElement().asString().contains("workspaceFolder /workspace/out/app: refused: out is a link in the repository");

        lines.clear();
        assertThat(ContainerStarter.linkFreeWorkdir(env("/workspace/app/src", repo), repo, lines::add).workdir()).isEqualTo("/workspace/app/src");
        // A folder the repository does not have is made in the container, where no link of the repository is.
        assertThat(ContainerStarter.linkFreeWorkdir(env("/workspace/app/new", repo), repo, lines::add).workdir()).isEqualTo("/workspace/app/new");
        assertThat(ContainerStarter.linkFreeWorkdir(env("/workspaces/proj", repo), repo, lines::add).workdir()).isEqualTo("/workspaces/proj");
        assertThat(lines).isEmpty();
    }
}
