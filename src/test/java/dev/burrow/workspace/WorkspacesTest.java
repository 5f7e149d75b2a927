package dev.burrow.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burrow.container.Commands;
import dev.burrow.container.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workspaces against the real git CLI. */
class WorkspacesTest {
    @TempDir
    Path tmp;
    Workspaces workspaces;
    Path repo;

    static String git(Path dir, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("git", "-C", dir.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) throw new IllegalStateException(out);
        return out;
    }

    @BeforeEach
    void setUp() throws Exception {
        workspaces = new Workspaces(new Commands(ProcessRunner.SYSTEM), tmp.resolve("mirrors"));
        repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("a.txt"), "a\n");
        git(repo, "init", "-q", "--initial-branch=main");
        git(repo, "add", ".");
        git(repo, "-c", "user.name=T", "-c", "user.email=t@t", "commit", "-qm", "init");
        git(repo, "branch", "develop");
    }

    @Test
    void badSourcesAndBranchesAreRefusedWithAClearReason() throws Exception {
        assertThatThrownBy(() -> Source.parse(tmp.resolve("nope").toString())).hasMessageContaining("does not exist");
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        assertThatThrownBy(() -> workspaces.validate(Source.parse(plain.toString()), null)).hasMessageContaining("not a git repository");
        assertThatThrownBy(() -> workspaces.validate(Source.parse(repo.toString()), "bad..name")).hasMessageContaining("invalid branch name");
        assertThatThrownBy(() -> workspaces.validate(Source.parse(repo.toString()), "-x")).hasMessageContaining("invalid branch name");
        assertThatThrownBy(() -> Source.parse("--upload-pack=evil")).hasMessageContaining("not a repository");
        Path ws = tmp.resolve("ws");
        assertThatThrownBy(() -> workspaces.create(Source.parse(repo.toString()), "no-such-branch", ws, "burrow/x", "", "", p -> { }))
                .hasMessageContaining("no-such-branch");
        assertThat(ws).doesNotExist();
    }

    @Test
    void aLocalSourceGetsTheBranchAndSnapshotBack() throws Exception {
        Workspace ws = workspaces.create(Source.parse(repo.toString()), "develop", tmp.resolve("ws"), "burrow/abc", "Agent Name", "agent@x", p -> { });
        assertThat(git(ws.dir(), "rev-parse", "--abbrev-ref", "HEAD")).isEqualTo("burrow/abc");
        Files.writeString(ws.dir().resolve("b.txt"), "b\n");
        git(ws.dir(), "add", "b.txt");
        git(ws.dir(), "commit", "-qm", "add b");
        Files.writeString(ws.dir().resolve("c.txt"), "uncommitted\n");
        workspaces.sync(ws, "abc");
        assertThat(git(repo, "log", "-1", "--format=%s %an", "burrow/abc")).isEqualTo("add b Agent Name");
        assertThat(git(repo, "show", "refs/burrow/snapshots/abc:c.txt")).isEqualTo("uncommitted");
        // The workspace's index and branch are as the agent left them.
        assertThat(git(ws.dir(), "status", "--porcelain")).isEqualTo("?? c.txt");
        assertThat(git(ws.dir(), "log", "-1", "--format=%s")).isEqualTo("add b");
        assertThat(workspaces.diff(ws)).contains("+b");
    }

    @Test
    void aUrlSourceGoesThroughAMirrorThatKeepsTheBranch() throws Exception {
        String url = "file://" + repo;
        Workspace ws = workspaces.create(Source.parse(url), null, tmp.resolve("ws"), "burrow/u1", "", "", p -> { });
        assertThat(ws.source().getParent()).isEqualTo(tmp.resolve("mirrors"));
        assertThat(git(ws.dir(), "remote", "get-url", "origin")).isEqualTo(url);
        Files.writeString(ws.dir().resolve("d.txt"), "d\n");
        git(ws.dir(), "add", ".");
        git(ws.dir(), "-c", "user.name=T", "-c", "user.email=t@t", "commit", "-qm", "d");
        workspaces.sync(ws, "u1");
        assertThat(git(ws.source(), "log", "-1", "--format=%s", "burrow/u1")).isEqualTo("d");
        // A second session from the same URL reuses (and updates) the mirror.
        Workspace ws2 = workspaces.create(Source.parse(url), null, tmp.resolve("ws2"), "burrow/u2", "", "", p -> { });
        assertThat(ws2.source()).isEqualTo(ws.source());
        assertThatThrownBy(() -> workspaces.create(Source.parse("file:///nonexistent/repo.git"), null, tmp.resolve("ws3"), "burrow/u3", "", "", p -> { }))
                .hasMessageContaining("could not clone");
        assertThat(tmp.resolve("ws3")).doesNotExist();
    }

    @Test
    void includedFilesComeFromTheCheckoutOnlyWhenTheCloneLacksThemAndNeverFromOutside() throws Exception {
        Path ws = tmp.resolve("ws");
        Files.createDirectories(ws.resolve(".burrow"));
        Files.writeString(ws.resolve("a.txt"), "from the clone\n");
        Files.writeString(ws.resolve(".burrow/include"), "# comment\n.env\na.txt\nconfig/local\nmissing.txt\n");
        Files.writeString(repo.resolve(".env"), "KEY=1\n");
        Files.createDirectories(repo.resolve("config/local"));
        Files.writeString(repo.resolve("config/local/db.yml"), "db: dev\n");
        assertThat(workspaces.copyIncluded(Source.parse(repo.toString()), ws)).containsExactly(".env", "config/local");
        assertThat(Files.readString(ws.resolve(".env"))).isEqualTo("KEY=1\n");
        assertThat(Files.readString(ws.resolve("config/local/db.yml"))).isEqualTo("db: dev\n");
        assertThat(Files.readString(ws.resolve("a.txt"))).isEqualTo("from the clone\n");

        Files.writeString(ws.resolve(".burrow/include"), "../secrets.txt\n");
        assertThatThrownBy(() -> workspaces.copyIncluded(Source.parse(repo.toString()), ws)).hasMessageContaining("only name paths inside the repository");
    }
}
