package dev.burrow.workspace;

import dev.burrow.container.ExecResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All of a session's work as of its last save: what is committed on its branch and what the
 * snapshot of its uncommitted work adds, file by file, read with hardened git from the source
 * the saves brought them into (never from the workspace, never through a diff driver).
 *
 * @param savedAt when the save these come from was taken, if one was
 * @param files   each changed file against the session's base, in path order
 * @param cut     the diffs were over {@link Workspaces#MAX_DIFF_BYTES}: files are listed without them
 */
public record Changes(Optional<Instant> savedAt, List<FileChange> files, boolean cut) {
    /** A file diff of more lines than this is shown collapsed, with its count. */
    public static final int COLLAPSE_LINES = 400;

    public enum Status {
        /** Changed by the session's commits, with nothing uncommitted on top. */
        COMMITTED,
        /** Changed in the working tree, not committed (perhaps on top of committed changes). */
        MODIFIED,
        /** New in the working tree, not committed. */
        NEW,
        /** Deleted in the working tree, not committed. */
        DELETED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param diff the file's unified diff against the base ("" when binary or cut)
     */
    public record FileChange(String path, Status status, boolean binary, int added, int removed, String diff) {
        public int diffLines() {
            return diff.isEmpty() ? 0 : (int) diff.lines().count();
        }

        public boolean collapsed() {
            return diffLines() > COLLAPSE_LINES;
        }
    }

    /** Reads them; {@code snapshot} is the ref of the uncommitted work's snapshot, if the last save had one. */
    static Changes read(Git git, Path source, String baseCommit, String branchRef, Optional<String> snapshot, Optional<Instant> savedAt) {
        String tip = snapshot.orElse(branchRef);
        Map<String, Status> status = new LinkedHashMap<>();
        for (String[] e : nameStatus(git, source, baseCommit, branchRef)) status.put(e[1], Status.COMMITTED);
        if (snapshot.isPresent()) {
            for (String[] e : nameStatus(git, source, branchRef, snapshot.get())) {
                status.put(e[1], switch (e[0].charAt(0)) {
                    case 'A' -> Status.NEW;
                    case 'D' -> Status.DELETED;
                    default -> Status.MODIFIED;
                });
            }
        }
        Map<String, int[]> counts = new LinkedHashMap<>(); // path -> {added, removed}, -1s when binary
        String numstat = text(git, source, List.of("diff", "--no-ext-diff", "--no-textconv", "--no-renames", "--numstat", "-z", baseCommit, tip, "--"));
        for (String entry : numstat.split("\0")) {
            String[] f = entry.split("\t", 3);
            if (f.length < 3) continue;
            counts.put(f[2], f[0].equals("-") ? new int[] {-1, -1} : new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])});
        }
        ByteArrayOutputStream patch = new ByteArrayOutputStream();
        ExecResult r = git.hardenedStream(source, List.of("diff", "--no-ext-diff", "--no-textconv", "--no-color", "--no-renames", baseCommit, tip, "--"),
                Workspaces.MAX_DIFF_BYTES, patch);
        boolean cut = !r.ok();
        Map<String, String> diffs = cut ? Map.of() : perFile(patch.toString(StandardCharsets.UTF_8));
        List<FileChange> files = new ArrayList<>();
        status.keySet().stream().sorted().forEach(path -> {
            int[] c = counts.getOrDefault(path, new int[] {0, 0});
            boolean binary = c[0] < 0;
            // A file the snapshot puts back as it was at the base has no change left: not listed.
            if (!counts.containsKey(path)) return;
            files.add(new FileChange(path, status.get(path), binary, Math.max(0, c[0]), Math.max(0, c[1]), binary ? "" : diffs.getOrDefault(path, "")));
        });
        return new Changes(savedAt, List.copyOf(files), cut);
    }

    /** {status letter, path} of each file changed from {@code from} to {@code to}. */
    private static List<String[]> nameStatus(Git git, Path source, String from, String to) {
        String out = text(git, source, List.of("diff", "--no-ext-diff", "--no-textconv", "--no-renames", "--name-status", "-z", from, to, "--"));
        String[] parts = out.split("\0");
        List<String[]> entries = new ArrayList<>();
        for (int i = 0; i + 1 < parts.length; i += 2) entries.add(new String[] {parts[i], parts[i + 1]});
        return entries;
    }

    private static String text(Git git, Path source, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecResult r = git.hardenedStream(source, args, Workspaces.MAX_DIFF_BYTES, out);
        if (!r.ok()) throw new WorkspaceException("git " + args.get(0) + " failed: " + r.firstErrorLine());
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The unified diff split by file: "diff --git a/P b/P" starts each (no renames, so both names are the same path). */
    static Map<String, String> perFile(String patch) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String file : patch.split("(?m)^(?=diff --git )")) {
            if (!file.startsWith("diff --git a/")) continue;
            String first = file.substring(0, file.indexOf('\n') < 0 ? file.length() : file.indexOf('\n'));
            // "diff --git a/P b/P": P is the first half of what follows "a/".
            String names = first.substring("diff --git a/".length());
            String path = names.length() >= 3 && (names.length() - 3) % 2 == 0 ? names.substring(0, (names.length() - 3) / 2) : names;
            out.put(path, file);
        }
        return out;
    }
}
