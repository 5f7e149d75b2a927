package dev.burrow.siblings;

import dev.burrow.http.Refusal;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where a sibling's bind mount may come from: the session's workspace, named as the session
 * sees it ({@code /workspace}, {@code /workspace/sub/dir}). The workspace itself goes to Podman
 * as its host dir: its parent is Burrow's, so it cannot be swapped. A directory under it goes as
 * a {@link Pins pin}: the host's Podman resolves a bind source whenever it mounts or copies, and
 * the agent could swap that directory for a link to the user's files between Burrow's check and
 * that moment.
 */
final class BindSources {
    static final String SESSION_ROOT = "/workspace";

    private BindSources() {
    }

    /** The host path for {@code source} (a path in the session): the workspace's dir or a pin of a dir in it, or refused. */
    static Path hostPath(SessionBox box, String source) throws Refusal {
        String s = source.replaceAll("/+$", "").replaceAll("/\\.$", "");
        Path workspace = box.workspace();
        if (s.equals(SESSION_ROOT)) {
            if (!Files.isDirectory(workspace, LinkOption.NOFOLLOW_LINKS)) throw Refusal.badRequest("the session's workspace is missing");
            return workspace;
        }
        if (s.startsWith(SESSION_ROOT + "/")) return box.pins().directory(workspace, s.substring(SESSION_ROOT.length() + 1));
        throw Refusal.forbidden("bind mounts come only from the session's workspace (-v /workspace:/work or -v /workspace/DIR:/work), not " + source);
    }
}
