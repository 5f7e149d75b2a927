package dev.burrow.workspace;

import java.nio.file.Path;

/**
 * A session's clone: its directory, its branch, the commit it started from, and the
 * repository its work goes back to (the user's own, or the mirror of a URL), and what was
 * copied in from the user's checkout (.burrow/include).
 */
public record Workspace(Path dir, String branch, String baseCommit, Path source, java.util.List<String> included) {
    public Workspace {
        included = java.util.List.copyOf(included);
    }
}
