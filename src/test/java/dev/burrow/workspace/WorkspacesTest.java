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

    /** The container's side of the save, runner/burrow-save, run here on the workspace, and Burrow's side taking it in. */
    String save(Workspace ws, String shortId) throws Exception {
        List<String> argv = new ArrayList<>(WorkBundle.argv(ws.branch(), ws.baseCommit(), shortId));
        argv.set(0, Path.of("runner", WorkBundle.COMMAND).toAbsolutePath().toString());
        // Its interpreter is the runner bundle's bash, which this host lacks: the host's runs it.
        argv.addFirst("bash");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("BURROW_SAVE_WORKSPACE", ws.dir().toString());
        Process p = pb.start();
        WorkBundle.Receiver received = new WorkBundle.Receiver(tmp.resolve("save.bundle"), ws.branch());
        try (received) {
            p.getInputStream().transferTo(received);
        }
        assertThat(p.waitFor()).isZero();
        return workspaces.receive(ws.source(), ws.branch(), shortId, ws.baseCommit(), received.saved());
    }

    /** What Burrow makes of these bytes as a save's output. */
    WorkBundle.Saved received(String branch, byte[] output) throws Exception {
        WorkBundle.Receiver r = new WorkBundle.Receiver(tmp.resolve("r.bundle"), branch);
        try (r) {
            r.write(output);
        }
        return r.saved();
    }

    @Test
    void theCloneIsMadeBesideTheWorkspaceAndMovedInAndAnythingPutThereFirstFailsTheStart() throws Exception {
        // The session's container may run before the clone is there: what it put in the workspace is never cloned into nor run.
        Path ws = Files.createDirectories(tmp.resolve("s").resolve("workspace"));
        Workspace made = workspaces.create(Source.parse(repo.toString()), null, ws, "burrow/0000cafe", "Agent Name", "agent@x", p -> { });
        assertThat(git(ws, "rev-parse", "--abbrev-ref", "HEAD")).isEqualTo("burrow/0000cafe");
        assertThat(git(ws, "config", "user.name")).isEqualTo("Agent Name");
        assertThat(made.dir()).isEqualTo(ws);
        assertThat(tmp.resolve("s").resolve("workspace.clone")).doesNotExist();

        Path planted = Files.createDirectories(tmp.resolve("t").resolve("workspace"));
        Files.createDirectories(planted.resolve(".git").resolve("hooks"));
        Files.writeString(planted.resolve(".git").resolve("hooks").resolve("post-checkout"), "#!/bin/sh\ntouch " + tmp.resolve("ran") + "\n");
        planted.resolve(".git").resolve("hooks").resolve("post-checkout").toFile().setExecutable(true);
        assertThatThrownBy(() -> workspaces.create(Source.parse(repo.toString()), null, planted, "burrow/0000f00d", "", "", p -> { }))
                .hasMessageContaining("the workspace had .git in it before its clone was there");
        assertThat(tmp.resolve("ran")).doesNotExist();
        assertThat(tmp.resolve("t").resolve("workspace.clone")).doesNotExist();
    }

    @Test
    void removingATreeNeverFollowsALinkInIt() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "mine");
        Path tree = Files.createDirectories(tmp.resolve("tree").resolve("a").resolve("b"));
        Files.writeString(tree.resolve("f"), "x");
        Files.createSymbolicLink(tmp.resolve("tree").resolve("a").resolve("link"), outside);
        Files.createSymbolicLink(tmp.resolve("tree").resolve("file-link"), outside.resolve("keep"));
        Workspaces.deleteQuietly(tmp.resolve("tree"));
        assertThat(tmp.resolve("tree")).doesNotExist();
        assertThat(outside.resolve("keep")).hasContent("mine");
    }

    @Test
    void aLocalSourceGetsTheBranchAndSnapshotBackThroughABundle() throws Exception {
        Workspace ws = workspaces.create(Source.parse(repo.toString()), "develop", tmp.resolve("ws"), "burrow/0000abcd", "Agent Name", "agent@x", p -> { });
        assertThat(git(ws.dir(), "rev-parse", "--abbrev-ref", "HEAD")).isEqualTo("burrow/0000abcd");
        // Nothing done yet: the branch lands at its base, and there is no snapshot.
        assertThat(save(ws, "0000abcd")).isEqualTo("burrow/0000abcd at " + ws.baseCommit().substring(0, 12));
        assertThat(git(repo, "rev-parse", "burrow/0000abcd")).isEqualTo(ws.baseCommit());

        Files.writeString(ws.dir().resolve("b.txt"), "b\n");
        git(ws.dir(), "add", "b.txt");
        git(ws.dir(), "commit", "-qm", "add b");
        Files.writeString(ws.dir().resolve("c.txt"), "uncommitted\n");
        String indexBefore = git(ws.dir(), "ls-files", "--stage");
        // The agent's filters, fsmonitor and hooks do not run in the save (a throwaway save container would wait on them).
        Path marker = tmp.resolve("ran");
        Files.writeString(ws.dir().resolve(".gitattributes"), "*.txt filter=evil\n");
        git(ws.dir(), "config", "filter.evil.clean", "touch " + marker + "-filter; cat");
        git(ws.dir(), "config", "core.fsmonitor", "touch " + marker + "-fsmonitor; false");
        assertThat(save(ws, "0000abcd")).startsWith("snapshot ");
        assertThat(git(repo, "log", "-1", "--format=%s %an", "burrow/0000abcd")).isEqualTo("add b Agent Name");
        assertThat(git(repo, "show", "refs/burrow/snapshots/0000abcd:c.txt")).isEqualTo("uncommitted");
        assertThat(marker.resolveSibling("ran-filter")).doesNotExist();
        assertThat(marker.resolveSibling("ran-fsmonitor")).doesNotExist();
        git(ws.dir(), "config", "--unset", "core.fsmonitor");
        git(ws.dir(), "config", "--unset", "filter.evil.clean");
        Files.delete(ws.dir().resolve(".gitattributes"));
        // The workspace's index and branch are as the agent left them, and its .git got nothing new.
        assertThat(git(ws.dir(), "status", "--porcelain")).isEqualTo("?? c.txt");
        assertThat(git(ws.dir(), "ls-files", "--stage")).isEqualTo(indexBefore);
        assertThat(git(ws.dir(), "for-each-ref", "--format=%(refname)")).doesNotContain("refs/burrow/");
        assertThat(workspaces.diff(repo, ws.branch(), ws.baseCommit())).contains("+b");
        // The clone shares no object file with the user's repository (no hard links).
        try (var files = Files.walk(ws.dir().resolve(".git/objects"))) {
            assertThat(files.filter(Files::isRegularFile).mapToInt(f -> {
                try {
                    return (Integer) Files.getAttribute(f, "unix:nlink");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).max().orElse(1)).isEqualTo(1);
        }
    }

    @Test
    void whatTheContainerReportsIsCheckedBeforeItIsBelieved() throws Exception {
        Workspace ws = workspaces.create(Source.parse(repo.toString()), null, tmp.resolve("ws"), "burrow/0000beef", "", "", p -> { });
        String b = ws.branch();
        assertThatThrownBy(() -> received(b, "rm -rf / 1 2\n".getBytes())).hasMessageContaining("not understood");
        assertThatThrownBy(() -> received(b, new byte[10_000])).hasMessageContaining("too long");
        // A head that is neither in a bundle nor in the base's history is not written anywhere.
        String foreign = "1234567890123456789012345678901234567890";
        WorkBundle.Saved lie = received(b, ("burrow-save 1 " + foreign + " -\n").getBytes());
        assertThatThrownBy(() -> workspaces.receive(repo, b, "0000beef", ws.baseCommit(), lie)).hasMessageContaining("neither in its bundle");
        assertThat(git(repo, "branch", "--list", b)).isEmpty();
        // A bundle may carry the session branch and the snapshot, as reported, and nothing else.
        String line = "burrow-save 1 " + foreign + " -\n";
        assertThatThrownBy(() -> received(b, (line + "# v2 git bundle\n" + foreign + " refs/heads/main\n\nPACK").getBytes()))
                .hasMessageContaining("carries a ref it must not");
        assertThatThrownBy(() -> received(b, (line + "# v2 git bundle\n" + foreign.replace('1', '2') + " refs/heads/" + b + "\n\nPACK").getBytes()))
                .hasMessageContaining("carries a ref it must not");
        assertThatThrownBy(() -> received(b, (line + "# v2 git bundle\n@filter=blob:none\n\nPACK").getBytes())).hasMessageContaining("only a plain bundle");
        assertThatThrownBy(() -> received(b, (line + "# v2 git bundle\n" + (foreign + " refs/heads/" + b + "\n").repeat(5000)).getBytes()))
                .hasMessageContaining("over 64 KiB");
        assertThat(received(b, (line + "# v2 git bundle\n-" + foreign + " base\n" + foreign + " refs/heads/" + b + "\n\nPACK").getBytes()).refs())
                .containsOnlyKeys("refs/heads/" + b);
        assertThatThrownBy(() -> WorkBundle.argv("main; rm -rf ~", ws.baseCommit(), "0000beef")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDiffTooLargeToShowBecomesTheListOfFiles() throws Exception {
        Workspace ws = workspaces.create(Source.parse(repo.toString()), null, tmp.resolve("ws"), "burrow/0000d1ff", "", "", p -> { });
        Files.writeString(ws.dir().resolve("big.txt"), "a\n".repeat(5 * 1024 * 1024));
        git(ws.dir(), "add", ".");
        git(ws.dir(), "-c", "user.name=T", "-c", "user.email=t@t", "commit", "-qm", "big");
        save(ws, "0000d1ff");
        String diff = workspaces.diff(repo, ws.branch(), ws.baseCommit());
        assertThat(diff).startsWith("# The diff is over 8 MiB").contains("big.txt");
        assertThat(diff.length()).isLessThan(10_000);
    }

    @Test
    void aUrlSourceGoesThroughAMirrorThatKeepsTheBranch() throws Exception {
        String url = "file://" + repo;
        Workspace ws = workspaces.create(Source.parse(url), null, tmp.resolve("ws"), "burrow/000000a1", "", "", p -> { });
        assertThat(ws.source().getParent()).isEqualTo(tmp.resolve("mirrors"));
        assertThat(git(ws.dir(), "remote", "get-url", "origin")).isEqualTo(url);
        Files.writeString(ws.dir().resolve("d.txt"), "d\n");
        git(ws.dir(), "add", ".");
        git(ws.dir(), "-c", "user.name=T", "-c", "user.email=t@t", "commit", "-qm", "d");
        Files.writeString(ws.dir().resolve("e.txt"), "draft\n");
        save(ws, "000000a1");
        assertThat(git(ws.source(), "log", "-1", "--format=%s", "burrow/000000a1")).isEqualTo("d");
        // A second session from the same URL reuses (and refreshes) the mirror, keeping the first one's work.
        git(repo, "branch", "-D", "develop");
        Workspace ws2 = workspaces.create(Source.parse(url), null, tmp.resolve("ws2"), "burrow/000000a2", "", "", p -> { });
        assertThat(ws2.source()).isEqualTo(ws.source());
        assertThat(git(ws.source(), "log", "-1", "--format=%s", "burrow/000000a1")).isEqualTo("d");
        assertThat(git(ws.source(), "show", "refs/burrow/snapshots/000000a1:e.txt")).isEqualTo("draft");
        assertThat(git(ws.source(), "branch", "--list", "develop")).isEmpty(); // what the remote deleted is pruned
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
        // The list may come from a branch the agent wrote: never the user's .git (stashes, objects), never through a linked folder.
        Files.writeString(ws.resolve(".burrow/include"), ".git/refs/stash\n");
        assertThatThrownBy(() -> workspaces.copyIncluded(Source.parse(repo.toString()), ws)).hasMessageContaining("anything in .git");
        Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(tmp.resolve("outside/secret.txt"), "secret\n");
        Files.createSymbolicLink(ws.resolve("linked"), tmp.resolve("outside"));
        Files.createDirectories(repo.resolve("linked"));
        Files.writeString(repo.resolve("linked/new.txt"), "x\n");
        Files.writeString(ws.resolve(".burrow/include"), "linked/new.txt\n");
        assertThat(workspaces.copyIncluded(Source.parse(repo.toString()), ws)).isEmpty();
        assertThat(tmp.resolve("outside/new.txt")).doesNotExist();
        // A folder is copied without a nested repository's .git; the list itself is never read through a link.
        Files.createDirectories(repo.resolve("sub/.git"));
        Files.writeString(repo.resolve("sub/.git/config"), "[core]\n");
        Files.writeString(repo.resolve("sub/kept.txt"), "kept\n");
        Files.writeString(ws.resolve(".burrow/include"), "sub\n");
        assertThat(workspaces.copyIncluded(Source.parse(repo.toString()), ws)).containsExactly("sub");
        assertThat(ws.resolve("sub/kept.txt")).exists();
        assertThat(ws.resolve("sub/.git")).doesNotExist();
        Files.delete(ws.resolve(".burrow/include"));
        Files.writeString(tmp.resolve("host-list"), ".env2\n");
        Files.writeString(repo.resolve(".env2"), "X=1\n");
        Files.createSymbolicLink(ws.resolve(".burrow/include"), tmp.resolve("host-list"));
        assertThat(workspaces.copyIncluded(Source.parse(repo.toString()), ws)).isEmpty();
    }
}
