package dev.burrow.workspace;

import dev.burrow.container.Commands;
import dev.burrow.container.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Makes session workspaces (fresh clones on a new branch) and brings their work back:
 * the session branch into the source, uncommitted changes as a snapshot commit.
 */
public final class Workspaces {
    /** The most of a diff the Changes view shows. */
    public static final long MAX_DIFF_BYTES = 8L * 1024 * 1024;
    /** Where session branches live; snapshots live under refs/burrow/, outside every refresh. */
    static final String SESSION_BRANCHES = "refs/heads/burrow/*";
    private final Git git;
    private final Path mirrorsDir;
    private final GitCredentials credentials;

    public Workspaces(Commands commands, Path mirrorsDir) {
        this(commands, mirrorsDir, GitCredentials.install(new GitHost(GitHost.GITHUB, ""), mirrorsDir));
    }

    /** {@code credentials}: the git host's token, for private repositories and pushes. */
    public Workspaces(Commands commands, Path mirrorsDir, GitCredentials credentials) {
        this.git = new Git(commands);
        this.mirrorsDir = Objects.requireNonNull(mirrorsDir);
        this.credentials = Objects.requireNonNull(credentials);
    }

    public GitCredentials credentials() {
        return credentials;
    }

    /**
     * Pushes a session branch from its source (the user's repository or Burrow's mirror) to
     * {@code remote}, with the git host's token when the remote is on that host.
     */
    public void push(Path source, String branch, String remote) {
        if (remote.startsWith("-")) throw new WorkspaceException("not a remote: " + remote);
        ExecResult r = git.run(source, credentials.env(), List.of("push", "--quiet", remote, "refs/heads/" + branch + ":refs/heads/" + branch));
        if (!r.ok()) throw new WorkspaceException("could not push " + branch + " to " + remote + ": " + r.firstErrorLine());
    }

    /** The URL the source's origin pushes to, or empty when it has none. */
    public Optional<String> originUrl(Path source) {
        ExecResult r = git.run(source, "remote", "get-url", "--push", "origin");
        return r.ok() && !r.stdout().isBlank() ? Optional.of(r.stdout().strip()) : Optional.empty();
    }

    public boolean isValidBranchName(String name) {
        return git.isValidBranchName(name);
    }

    /**
     * Who a session's commits are by ({@link GitIdentity}): the configured identity, else the
     * source repository's own, else the user's global one, else Burrow's.
     */
    public GitIdentity identity(String configuredName, String configuredEmail, Source source) {
        return GitIdentity.resolve(git, configuredName, configuredEmail, source instanceof Source.Local l ? l.path() : null);
    }

    /** Checks a source before anything is made for it; throws with what is wrong. */
    public void validate(Source source, String baseBranch) {
        if (baseBranch != null && !git.isValidBranchName(baseBranch)) {
            throw new WorkspaceException("invalid branch name: " + baseBranch + " (see git check-ref-format)");
        }
        if (source instanceof Source.Local local) {
            ExecResult r = git.run(local.path(), "rev-parse", "--git-dir");
            if (!r.ok()) throw new WorkspaceException("not a git repository: " + local.path());
            if (!git.run(local.path(), "rev-parse", "--verify", "--quiet", "HEAD^{commit}").ok()) {
                throw new WorkspaceException("repository has no commits yet: " + local.path() + "; commit something first");
            }
            // Checked now, not when the clone meets it: a session is answered before it is cloned.
            // What clone --branch takes: the source's branches and tags.
            if (baseBranch != null && !git.run(local.path(), "rev-parse", "--verify", "--quiet", "refs/heads/" + baseBranch + "^{commit}").ok()
                    && !git.run(local.path(), "rev-parse", "--verify", "--quiet", "refs/tags/" + baseBranch + "^{commit}").ok()) {
                throw new WorkspaceException("no branch " + baseBranch + " in " + local.path() + "; name one of its branches, or none for its current one");
            }
        }
    }

    /**
     * Clones the source into {@code dir} and checks out a new branch {@code branch} from
     * {@code baseBranch} (or the source's HEAD). Returns the base commit.
     */
    public Workspace create(Source source, String baseBranch, Path dir, String branch, String authorName, String authorEmail,
                            Consumer<String> progress) {
        Path from = switch (source) {
            case Source.Local l -> l.path();
            case Source.Url u -> updateMirror(u.url(), progress);
        };
        progress.accept("cloning " + source.display());
        // Cloned, set up and filled beside the workspace, then moved in: the session's container may already run
        // (a warm one for a while), and the workspace is its to write. git never runs in a tree it could be changing
        // (a hook planted under .git while git works there would run here).
        Path staging = dir.resolveSibling(dir.getFileName() + ".clone");
        deleteQuietly(staging);
        try {
            // --no-local: a local clone would hard-link the object files, and the agent could rewrite the user's objects through them.
            List<String> clone = new ArrayList<>(List.of("clone", "--quiet", "--no-tags", "--no-local"));
            if (baseBranch != null) clone.addAll(List.of("--branch", baseBranch));
            clone.addAll(List.of("--", from.toString(), staging.toString()));
            ExecResult r = git.run(null, Map.of(), clone);
            if (!r.ok()) {
                String why = r.firstErrorLine();
                if (baseBranch != null && why.contains("not found")) {
                    throw new WorkspaceException("branch " + baseBranch + " does not exist in " + source.display());
                }
                throw new WorkspaceException("could not clone " + source.display() + ": " + why);
            }
            if (source instanceof Source.Url u) git.checked(staging, "remote", "set-url", "origin", u.url());
            String base = git.checked(staging, "rev-parse", "HEAD");
            git.checked(staging, "checkout", "--quiet", "-b", branch);
            if (!authorName.isBlank()) git.checked(staging, "config", "user.name", authorName);
            if (!authorEmail.isBlank()) git.checked(staging, "config", "user.email", authorEmail);
            List<String> included = copyIncluded(source, staging);
            moveInto(staging, dir);
            return new Workspace(dir, branch, base, from, included);
        } finally {
            // Not the workspace, which may be half filled: its container may still run, and a tree it can change
            // is removed only once that container is gone (the session's creation does it).
            deleteQuietly(staging);
        }
    }

    /**
     * Moves the clone's entries into the workspace, each by a rename: nothing is followed, and a
     * name that is taken already (the container put something there first) fails the start.
     */
    private static void moveInto(Path staging, Path dir) {
        try {
            Files.createDirectories(dir);
            try (var entries = Files.list(staging)) {
                for (Path e : entries.toList()) {
                    Path to = dir.resolve(e.getFileName().toString());
                    if (Files.exists(to, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        throw new WorkspaceException("the workspace had " + e.getFileName() + " in it before its clone was there; start the session again");
                    }
                    Files.move(e, to);
                }
            }
        } catch (java.io.IOException e) {
            throw new WorkspaceException("could not put the clone in the workspace: " + e.getMessage());
        }
    }

    /**
     * The files a session of {@code source} starts from, at the commit of {@code baseBranch} (or the
     * source's HEAD), for Burrow to read its environment from before the workspace is cloned.
     */
    public dev.burrow.environment.RepoFiles files(Source source, String baseBranch, Consumer<String> progress) {
        Path from = switch (source) {
            case Source.Local l -> l.path();
            case Source.Url u -> updateMirror(u.url(), progress);
        };
        String rev = baseBranch == null ? "HEAD" : "refs/heads/" + baseBranch;
        ExecResult r = git.hardened(from, List.of("rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"));
        if (!r.ok()) throw new WorkspaceException(baseBranch == null ? source.display() + " has no commit yet" : "branch " + baseBranch + " does not exist in " + source.display());
        String ref = baseBranch;
        if (ref == null) {
            ExecResult head = git.hardened(from, List.of("symbolic-ref", "--quiet", "--short", "HEAD"));
            ref = head.ok() ? head.stdout().strip() : "HEAD";
        }
        return new CommitFiles(git, from, r.stdout().strip(), ref);
    }

    /**
     * Copies into a new workspace what the repository's .burrow/include names from the user's
     * own checkout (a local source only: a URL has no checkout); returns the paths copied.
     */
    public List<String> copyIncluded(Source source, Path workspace) {
        return source instanceof Source.Local l ? Includes.copy(l.path(), workspace) : List.of();
    }

    /** The bare mirror of a URL, cloned or updated; it is also what workspaces clone from. */
    Path updateMirror(String url, Consumer<String> progress) {
        Path mirror = mirrorsDir.resolve(sha256(url).substring(0, 16) + ".git");
        try {
            Files.createDirectories(mirrorsDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (Files.isDirectory(mirror)) {
            progress.accept("fetching " + url);
            // Branches and tags only, never burrow/* (a mirror's own +refs/*:refs/* with --prune
            // would delete the branches and snapshots of earlier sessions of this URL).
            ExecResult r = git.run(mirror, credentials.env(), List.of("fetch", "--prune", "--quiet", "origin",
                    "+refs/heads/*:refs/heads/*", "^" + SESSION_BRANCHES, "+refs/tags/*:refs/tags/*"));
            if (!r.ok()) throw new WorkspaceException("could not fetch " + url + ": " + r.firstErrorLine());
        } else {
            progress.accept("mirroring " + url);
            Path tmp = mirrorsDir.resolve(mirror.getFileName() + ".tmp");
            deleteQuietly(tmp);
            ExecResult r = git.run(null, credentials.env(), List.of("clone", "--mirror", "--quiet", "--", url, tmp.toString()));
            if (!r.ok()) {
                deleteQuietly(tmp);
                throw new WorkspaceException("could not clone " + url + ": " + r.firstErrorLine());
            }
            try {
                Files.move(tmp, mirror);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return mirror;
    }

    /**
     * Takes a session's work, as its container's save reported it ({@link WorkBundle}), into
     * the source (the user's repository, or the mirror): the branch at the reported head, and
     * the uncommitted work as a snapshot commit under refs/burrow/snapshots/SHORT_ID. Only
     * hardened git touches the bundle, and the workspace is never read. Returns what it did, in words.
     */
    public String receive(Path source, String branch, String shortId, String baseCommit, WorkBundle.Saved saved) {
        String branchRef = "refs/heads/" + branch;
        String snapshotRef = "refs/burrow/snapshots/" + shortId;
        boolean branchFetched = saved.refs().containsKey(branchRef);
        boolean snapshot = saved.refs().containsKey(WorkBundle.SNAPSHOT_REF);
        StringBuilder done = new StringBuilder();
        if (saved.hasBundle()) {
            // The header was checked as it arrived (WorkBundle.Receiver): these are the only refs it names.
            List<String> fetch = new ArrayList<>(List.of("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", saved.bundle().toString()));
            if (branchFetched) fetch.add("+" + branchRef + ":" + branchRef);
            if (snapshot) fetch.add("+" + WorkBundle.SNAPSHOT_REF + ":" + snapshotRef);
            git.hardenedChecked(source, fetch.toArray(String[]::new));
            if (snapshot && !"commit".equals(git.hardenedChecked(source, "cat-file", "-t", saved.snapshot().orElseThrow()))) {
                git.hardenedChecked(source, "update-ref", "-d", snapshotRef);
                throw new WorkspaceException("the save's snapshot is not a commit");
            }
            if (snapshot) done.append("snapshot ").append(saved.snapshot().orElseThrow(), 0, 12).append("; ");
        }
        if (saved.snapshot().isEmpty()) {
            // Nothing uncommitted any more: an earlier snapshot would show work that is now committed or gone.
            git.hardened(source, List.of("update-ref", "-d", snapshotRef));
        } else if (!snapshot && "commit".equals(git.hardened(source, List.of("cat-file", "-t", saved.snapshot().get())).stdout().strip())) {
            // A snapshot the source has already (nothing new to bring): it is the current one.
            git.hardenedChecked(source, "update-ref", snapshotRef, saved.snapshot().get());
        }
        if (!branchFetched) {
            // Nothing new on the branch: its head must be history the source already has.
            // (The base itself, the usual case when the agent made no commit, needs no git to say so.)
            if (!saved.head().equals(baseCommit) && !git.hardened(source, List.of("merge-base", "--is-ancestor", saved.head(), baseCommit)).ok()) {
                throw new WorkspaceException("the save reported a branch head " + saved.head() + " that is neither in its bundle nor in the base's history");
            }
            git.hardenedChecked(source, "update-ref", branchRef, saved.head());
        }
        done.append(branch).append(" at ").append(saved.head(), 0, 12);
        return done.toString();
    }

    /**
     * The session branch's changes against its base commit, as a unified diff, from the source
     * the saves brought the branch into: never from the workspace, never through a diff driver.
     * A diff over {@link #MAX_DIFF_BYTES} (the agent can make a small commit with a huge diff)
     * becomes the list of changed files and a line saying so.
     */
    public String diff(Path source, String branch, String baseCommit) {
        String range = baseCommit + "..refs/heads/" + branch;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecResult r = git.hardenedStream(source, List.of("diff", "--no-ext-diff", "--no-textconv", "--no-color", range, "--"), MAX_DIFF_BYTES, out);
        if (r.ok()) return out.toString(StandardCharsets.UTF_8);
        if (r.exitCode() != 125) throw new WorkspaceException("git diff failed: " + r.firstErrorLine());
        ByteArrayOutputStream stat = new ByteArrayOutputStream();
        git.hardenedStream(source, List.of("diff", "--stat=200", "--no-color", range, "--"), MAX_DIFF_BYTES, stat);
        return "# The diff is over " + MAX_DIFF_BYTES / (1024 * 1024) + " MiB; the files it changes:\n" + stat.toString(StandardCharsets.UTF_8);
    }

    /**
     * All of the session's work as of its last save, committed and uncommitted, file by file
     * ({@link Changes}); {@code savedAt}: when that save was taken, if known.
     */
    public Changes changes(Path source, String branch, String shortId, String baseCommit, Optional<java.time.Instant> savedAt) {
        String snapshotRef = "refs/burrow/snapshots/" + shortId;
        boolean snapshot = git.hardened(source, List.of("rev-parse", "--verify", "--quiet", snapshotRef + "^{commit}")).ok();
        return Changes.read(git, source, baseCommit, "refs/heads/" + branch, snapshot ? Optional.of(snapshotRef) : Optional.empty(), savedAt);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void deleteQuietly(Path p) {
        if (p == null || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort
            }
            return;
        }
        // Each dir is opened once and its entries removed relative to that handle, never by a path again: a dir that a
        // container swaps for a link while this runs is not followed (a walk that lists first and deletes later would be).
        try (var dir = Files.newDirectoryStream(p)) {
            if (dir instanceof java.nio.file.SecureDirectoryStream<Path> secure) {
                clear(secure);
            } else {
                legacyDelete(p);
                return;
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: a dir it cannot read (made by root in a container) stays; see ContainerEngine.removeOwnedTree
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void clear(java.nio.file.SecureDirectoryStream<Path> dir) throws IOException {
        for (Path entry : dir) {
            Path name = entry.getFileName();
            var attrs = dir.getFileAttributeView(name, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
            if (attrs.isDirectory()) {
                try (var sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    clear(sub);
                } catch (IOException ignored) {
                    // swapped or unreadable: what can be removed goes below
                }
                try {
                    dir.deleteDirectory(name);
                } catch (IOException ignored) {
                    // not empty (unreadable parts) or gone
                }
            } else {
                try {
                    dir.deleteFile(name);
                } catch (IOException ignored) {
                    // gone meanwhile
                }
            }
        }
    }

    private static void legacyDelete(Path p) {
        try (var walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // best effort: a leftover file is reported by the caller's next attempt
                }
            });
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // best effort
        }
    }
}
