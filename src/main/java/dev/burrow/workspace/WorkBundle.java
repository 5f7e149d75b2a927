package dev.burrow.workspace;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Burrow's side of runner/burrow-save, the save after each turn: the command that runs in the
 * container, and the reading of what it prints. It prints one line, "burrow-save 1 HEAD
 * SNAPSHOT" (SNAPSHOT "-" when nothing is uncommitted), then a git bundle of the objects
 * Burrow lacks, or nothing. All of it comes from the container, so all of it is checked: the
 * line against a strict pattern, the bundle by hardened git on the host ({@link Workspaces#receive}).
 */
public final class WorkBundle {
    /** The script in the runner image. */
    public static final String COMMAND = "burrow-save";
    /** Where the bundle carries the snapshot commit. */
    static final String SNAPSHOT_REF = "refs/burrow/snapshot";
    static final int MAX_LINE = 200;
    private static final Pattern LINE = Pattern.compile("burrow-save 1 ([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}|-)");
    private static final Pattern BRANCH = Pattern.compile("burrow/[0-9a-f]{8}");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    /**
     * What a save reported: the branch head, the snapshot commit if there was uncommitted work,
     * and the bundle file (empty when the host lacks nothing).
     */
    public record Saved(String head, Optional<String> snapshot, Path bundle) {
        boolean hasBundle() throws IOException {
            return Files.size(bundle) > 0;
        }
    }

    private WorkBundle() {
    }

    /** The command's argv: every value checked here, each its own element. */
    public static List<String> argv(String branch, String baseCommit, String shortId) {
        if (!BRANCH.matcher(branch).matches()) throw new IllegalArgumentException("not a session branch: " + branch);
        if (!SHA.matcher(baseCommit).matches()) throw new IllegalArgumentException("not a commit: " + baseCommit);
        if (!shortId.matches("[0-9a-f]{8}")) throw new IllegalArgumentException("not a short id: " + shortId);
        return List.of(COMMAND, branch, baseCommit, shortId);
    }

    /** Reads the line from {@code out} and writes the rest, the bundle, to {@code bundle}. */
    public static Saved read(InputStream out, Path bundle) throws IOException {
        byte[] line = new byte[MAX_LINE];
        int n = 0;
        for (int b; (b = out.read()) != '\n'; ) {
            if (b < 0) throw new WorkspaceException("the save printed no report line" + (n == 0 ? "" : ": " + printable(line, n)));
            if (n == MAX_LINE) throw new WorkspaceException("the save's report line is too long");
            line[n++] = (byte) b;
        }
        Matcher m = LINE.matcher(new String(line, 0, n, StandardCharsets.US_ASCII));
        if (!m.matches()) throw new WorkspaceException("the save's report line is not understood: " + printable(line, n));
        try (OutputStream file = Files.newOutputStream(bundle)) {
            out.transferTo(file);
        }
        return new Saved(m.group(1), "-".equals(m.group(2)) ? Optional.empty() : Optional.of(m.group(2)), bundle);
    }

    private static String printable(byte[] b, int n) {
        return new String(b, 0, n, StandardCharsets.US_ASCII).replaceAll("[^\\x20-\\x7e]", "?");
    }
}
