package dev.burrow.session;

import dev.burrow.container.ContainerEngine;
import dev.burrow.workspace.Workspaces;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Removing a session's dir, all of it: what its container wrote too. */
final class SessionDirs {
    private static final Logger LOG = LoggerFactory.getLogger(SessionDirs.class);

    private SessionDirs() {
    }

    /**
     * Deletes the session's dir without following a link in it; what root in the container left
     * there belongs to the user's subordinate ids, and goes through the engine. Best effort: a
     * failure is logged, never thrown (the session is gone either way).
     */
    static void remove(ContainerEngine engine, Session s) {
        Workspaces.deleteQuietly(s.dir());
        if (!Files.exists(s.dir(), LinkOption.NOFOLLOW_LINKS)) return;
        try {
            engine.removeOwnedTree(s.dir());
        } catch (RuntimeException e) {
            LOG.warn("session {}: could not remove its files in {}: {}", s.shortId(), s.dir(), e.getMessage());
        }
    }
}
