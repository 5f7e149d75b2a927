package dev.burrow.siblings;

import dev.burrow.http.Refusal;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where a sibling's bind mount may come from: the session's workspace as a whole, named as
 * the session sees it ({@code /workspace}). Not a directory under it: the host's Podman
 * resolves a bind source on the host whenever it mounts or copies (at start, and for
 * {@code podman cp} of a stopped container), and the agent can swap any directory under the
 * workspace for a link to the user's files between Burrow's check and that moment. The
 * workspace's own dir cannot be swapped: its parent is Burrow's.
 */
final class BindSources {
    static final String SESSION_ROOT = "/workspace";

    private BindSources() {
    }

    /** The host path for {@code source} (a path in the session): the workspace's dir, or refused. */
    static Path hostPath(Path workspace, String source) throws Refusal {
        String s = source.replaceAll("/+$", "").replaceAll("/\\.$", "");
        if (s.equals(SESSION_ROOT)) {
            if (!Files.isDirectory(workspace, LinkOption.NOFOLLOW_LINKS)) throw Refusal.badRequest("the session's workspace is missing");
            return workspace;
        }
        if (source.startsWith(SESSION_ROOT + "/")) {
            throw Refusal.forbidden("bind mounts are of the whole workspace only (-v /workspace:/work, then -w /work/" + source.substring(SESSION_ROOT.length() + 1)
                    + "): a directory under it could be swapped for a link to your files before Podman uses it");
        }
        throw Refusal.forbidden("bind mounts come only from the session's workspace (-v /workspace:/work), not " + source);
    }
}
