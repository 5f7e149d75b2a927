package dev.burrow.workspace;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Burrow's side of runner/burrow-save, the save after each turn: the command that runs in the
 * container, and the reading of what it prints. It prints one line, "burrow-save 1 HEAD
 * SNAPSHOT" (SNAPSHOT "-" when nothing is uncommitted), then a git bundle of the objects
 * Burrow lacks, or nothing. All of it comes from the container, so all of it is checked as it
 * arrives: the line against a strict pattern, the bundle's header here (at most 64 KiB, no
 * refs but the session branch and the snapshot, each as the line reported it), and its
 * objects by hardened git on the host ({@link Workspaces#receive}).
 */
public final class WorkBundle {
    /** The script in the runner image. */
    public static final String COMMAND = "burrow-save";
    /** Where the bundle carries the snapshot commit. */
    static final String SNAPSHOT_REF = "refs/burrow/snapshot";
    static final int MAX_LINE = 200;
    static final int MAX_HEADER = 64 * 1024;
    private static final Pattern LINE = Pattern.compile("burrow-save 1 ([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}|-)");
    private static final Pattern BRANCH = Pattern.compile("burrow/[0-9a-f]{8}");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern PREREQUISITE = Pattern.compile("-([0-9a-f]{40}|[0-9a-f]{64})( .*)?");
    private static final Pattern REFERENCE = Pattern.compile("([0-9a-f]{40}|[0-9a-f]{64}) (\\S+)");

    /**
     * What a save reported: the branch head, the snapshot commit if there was uncommitted work,
     * the bundle file (empty when the host lacks nothing) and the refs its header names.
     */
    public record Saved(String head, Optional<String> snapshot, Path bundle, Map<String, String> refs) {
        public Saved {
            refs = Map.copyOf(refs);
        }

        boolean hasBundle() {
            return !refs.isEmpty();
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

    /**
     * Where the save's stdout goes: the report line is kept, the rest is written to the bundle
     * file while its header is checked; a write that breaks the rules fails, which stops the save.
     */
    public static final class Receiver extends OutputStream {
        private final Path bundle;
        private final String branch;
        private final byte[] line = new byte[MAX_LINE];
        private int lineLength;
        private boolean lineDone;
        private final StringBuilder header = new StringBuilder();
        private boolean headerDone;
        private long bundleBytes;
        private OutputStream file;

        public Receiver(Path bundle, String branch) {
            this.bundle = bundle;
            this.branch = branch;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int i = off;
            int end = off + len;
            while (!lineDone && i < end) {
                byte c = b[i++];
                if (c == '\n') {
                    lineDone = true;
                } else {
                    if (lineLength == MAX_LINE) throw new WorkspaceException("the save's report line is too long");
                    line[lineLength++] = c;
                }
            }
            if (i == end) return;
            if (file == null) file = Files.newOutputStream(bundle);
            file.write(b, i, end - i);
            bundleBytes += end - i;
            for (int j = i; j < end && !headerDone; j++) {
                if (b[j] == '\n' && !header.isEmpty() && header.charAt(header.length() - 1) == '\n') headerDone = true;
                else header.append((char) (b[j] & 0xff));
                if (header.length() > MAX_HEADER) throw new WorkspaceException("the save's bundle header is over 64 KiB");
            }
        }

        @Override
        public void close() throws IOException {
            if (file != null) file.close();
        }

        /** What the save reported, checked; after the save ended and this stream was closed. */
        public Saved saved() {
            if (!lineDone) {
                throw new WorkspaceException("the save printed no report line" + (lineLength == 0 ? "" : ": " + printable(line, lineLength)));
            }
            Matcher m = LINE.matcher(new String(line, 0, lineLength, StandardCharsets.US_ASCII));
            if (!m.matches()) throw new WorkspaceException("the save's report line is not understood: " + printable(line, lineLength));
            Optional<String> snapshot = "-".equals(m.group(2)) ? Optional.empty() : Optional.of(m.group(2));
            Map<String, String> refs = bundleBytes == 0 ? Map.of() : refs(m.group(1), snapshot);
            return new Saved(m.group(1), snapshot, bundle, refs);
        }

        // The refs the bundle's header names; anything but what the report line said is refused.
        private Map<String, String> refs(String head, Optional<String> snapshot) {
            if (!headerDone) throw new WorkspaceException("the save's bundle ends inside its header");
            List<String> lines = new ArrayList<>(header.toString().lines().toList());
            String signature = lines.isEmpty() ? "" : lines.removeFirst();
            if (!signature.equals("# v2 git bundle") && !signature.equals("# v3 git bundle")) {
                throw new WorkspaceException("the save printed no git bundle");
            }
            Map<String, String> refs = new LinkedHashMap<>();
            for (String l : lines) {
                if (l.startsWith("@")) {
                    if (!l.equals("@object-format=sha1") && !l.equals("@object-format=sha256")) {
                        throw new WorkspaceException("the save's bundle asks for " + printable(l) + "; only a plain bundle is taken");
                    }
                    continue;
                }
                if (PREREQUISITE.matcher(l).matches()) continue;
                Matcher r = REFERENCE.matcher(l);
                if (!r.matches()) throw new WorkspaceException("the save's bundle header has a line that is not understood: " + printable(l));
                String name = r.group(2);
                String expected = name.equals("refs/heads/" + branch) ? head : name.equals(SNAPSHOT_REF) ? snapshot.orElse(null) : null;
                if (expected == null || !expected.equals(r.group(1)) || refs.containsKey(name)) {
                    throw new WorkspaceException("the save's bundle carries a ref it must not: " + printable(name));
                }
                refs.put(name, r.group(1));
            }
            if (refs.isEmpty()) throw new WorkspaceException("the save's bundle carries no ref");
            return refs;
        }
    }

    private static String printable(byte[] b, int n) {
        return printable(new String(b, 0, n, StandardCharsets.US_ASCII));
    }

    private static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 100 ? p.substring(0, 100) + "…" : p;
    }
}
