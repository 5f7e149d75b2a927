package dev.burrow.workspace;

import dev.burrow.container.ExecResult;
import dev.burrow.environment.EnvironmentException;
import dev.burrow.environment.RepoFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A repository's files at one commit, read by hardened git from its object store (the user's
 * repository or Burrow's mirror): no checkout, no config of the repository's, no link followed
 * (a link reads as no file).
 */
final class CommitFiles implements RepoFiles {
    private static final long MAX_ARCHIVE = 2L * 1024 * 1024 * 1024;

    private final Git git;
    private final Path repo;
    private final String commit;
    private final String ref;

    CommitFiles(Git git, Path repo, String commit, String ref) {
        this.ref = Objects.requireNonNull(ref);
        this.git = Objects.requireNonNull(git);
        this.repo = Objects.requireNonNull(repo);
        if (!commit.matches("[0-9a-f]{40}|[0-9a-f]{64}")) throw new IllegalArgumentException("not a commit id: " + commit);
        this.commit = commit;
    }

    @Override
    public String commit() {
        return commit;
    }

    @Override
    public String ref() {
        return ref;
    }

    /** One tree entry: its mode, type and object id; empty when there is none. */
    private Optional<String[]> entry(String path) {
        checkPath(path);
        if (path.isEmpty()) return Optional.of(new String[] {"040000", "tree", git.hardenedChecked(repo, "rev-parse", "--verify", commit + "^{tree}")});
        ExecResult r = git.hardened(repo, List.of("ls-tree", "-z", "--full-tree", commit, "--", path));
        if (!r.ok()) throw new EnvironmentException("could not read " + path + " at " + commit + ": " + r.firstErrorLine());
        for (String line : r.stdout().split("\u0000")) {
            int tab = line.indexOf('\t');
            if (tab < 0 || !line.substring(tab + 1).equals(path)) continue;
            return Optional.of(line.substring(0, tab).split(" "));
        }
        return Optional.empty();
    }

    @Override
    public Optional<byte[]> read(String path, int max) {
        Optional<String[]> e = entry(path);
        if (e.isEmpty() || !e.get()[1].equals("blob") || !e.get()[0].startsWith("100")) return Optional.empty();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecResult r = git.hardenedStream(repo, List.of("cat-file", "blob", e.get()[2]), max, out);
        if (r.exitCode() == 125) throw new EnvironmentException(path + " is over " + (max / 1024) + " KiB; Burrow reads environment files up to that");
        if (!r.ok()) throw new EnvironmentException("could not read " + path + ": " + r.firstErrorLine());
        return Optional.of(out.toByteArray());
    }

    @Override
    public List<String> list(String dir) {
        Optional<String[]> e = entry(dir);
        if (e.isEmpty() || !e.get()[1].equals("tree")) return List.of();
        ExecResult r = git.hardened(repo, List.of("ls-tree", "-z", "--name-only", e.get()[2]));
        if (!r.ok()) return List.of();
        List<String> names = new ArrayList<>();
        for (String n : r.stdout().split("\u0000")) if (!n.isEmpty()) names.add(n);
        return names;
    }

    @Override
    public Optional<String> id(String path) {
        return entry(path).map(e -> e[2]);
    }

    @Override
    public void archive(String dir, Path out) {
        Optional<String[]> e = entry(dir);
        if (e.isEmpty() || !e.get()[1].equals("tree")) throw new EnvironmentException("the build context " + (dir.isEmpty() ? "(the root)" : dir) + " is not a directory at " + commit);
        try (OutputStream o = Files.newOutputStream(out)) {
            // The tree by its id: git archive of a tree (not a commit) writes no commit id header and reads no attributes of the worktree.
            ExecResult r = git.hardenedStream(repo, List.of("archive", "--format=tar", e.get()[2]), MAX_ARCHIVE, o);
            if (r.exitCode() == 125) throw new EnvironmentException("the build context " + dir + " is over 2 GiB");
            if (!r.ok()) throw new EnvironmentException("could not read the build context " + dir + ": " + r.firstErrorLine());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void checkPath(String path) {
        if (path.startsWith("/") || path.startsWith("-") || path.endsWith("/") || path.contains("//")
                || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || List.of(path.split("/")).contains("..")) {
            throw new EnvironmentException("not a repository path: " + new String(path.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        }
    }
}
