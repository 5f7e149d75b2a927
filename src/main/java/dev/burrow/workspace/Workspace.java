package dev.burrow.workspace;

import java.nio.file.Path;

/**
 * A session's clone: its directory, its branch, the commit it started from, and the
 * repository its work goes back to (the user's own, or the mirror of a URL).
 */
public record Workspace(Path dir, String branch, String baseCommit, Path source) {
}
