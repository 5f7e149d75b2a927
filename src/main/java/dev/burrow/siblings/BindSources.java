package dev.burrow.siblings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Where a sibling's bind mount may come from: the session's workspace and what is under it,
 * named as the session sees it ({@code /workspace/...}). Burrow maps the name to the host
 * path and walks it a component at a time without following links: the agent can make links
 * in its workspace, and a link is never a way to a host path.
 */
final class BindSources {
    static final String SESSION_ROOT = "/workspace";

    private BindSources() {
    }

    /** The host path for {@code source} (a path in the session), checked; refused when it is not in the workspace. */
    static Path hostPath(Path workspace, String source) throws Refusal {
        if (!(source.equals(SESSION_ROOT) || source.startsWith(SESSION_ROOT + "/"))) {
            throw Refusal.forbidden("bind mounts come only from the session's workspace (/workspace/...), not " + source);
        }
        Path at = workspace;
        for (String part : source.substring(SESSION_ROOT.length()).split("/")) {
            if (part.isEmpty()) continue;
            if (part.equals(".") || part.equals("..")) throw Refusal.forbidden("bind mount sources may not hold . or ..: " + source);
            at = at.resolve(part);
        }
        check(workspace, at, source);
        return at;
    }

    /** Refuses {@code hostPath} unless every component from the workspace down is a real dir (the last may be a file). */
    static void check(Path workspace, Path hostPath, String shown) throws Refusal {
        if (!hostPath.startsWith(workspace)) {
            throw Refusal.forbidden("bind mounts come only from the session's workspace (/workspace/...), not " + shown);
        }
        Path at = workspace;
        Path rel = workspace.relativize(hostPath);
        int n = rel.toString().isEmpty() ? 0 : rel.getNameCount();
        for (int i = 0; i <= n; i++) {
            if (i > 0) at = at.resolve(rel.getName(i - 1));
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(at, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw Refusal.badRequest("bind mount source " + shown + " does not exist");
            }
            if (a.isSymbolicLink()) throw Refusal.forbidden("bind mount source " + shown + " goes through a symbolic link; name the real path");
            boolean last = i == n;
            if (!(a.isDirectory() || (last && a.isRegularFile()))) throw Refusal.forbidden("bind mount source " + shown + " is not a dir or file");
        }
    }
}
