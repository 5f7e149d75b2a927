package dev.burrow.session;

import dev.burrow.container.ContainerEngine;
import dev.burrow.workspace.Source;
import dev.burrow.workspace.Workspaces;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How Burrow makes and removes the warm pool's containers: as a session's, by {@link ContainerStarter}. */
final class WarmContainers implements WarmPool.Maker {
    private static final Logger LOG = LoggerFactory.getLogger(WarmContainers.class);

    private final ContainerStarter starter;
    private final Workspaces workspaces;
    private final HostSideServices services;
    private final ContainerEngine engine;

    WarmContainers(ContainerStarter starter, Workspaces workspaces, HostSideServices services, ContainerEngine engine) {
        this.starter = Objects.requireNonNull(starter);
        this.workspaces = Objects.requireNonNull(workspaces);
        this.services = Objects.requireNonNull(services);
        this.engine = Objects.requireNonNull(engine);
    }

    @Override
    public WarmPool.Slot make(WarmPool.Key key, Source source, Session session, StartGuard.Held held) {
        starter.checkRunnable();
        try {
            String id = starter.startWarm(session, workspaces.files(source, key.branch(), line -> { }), key.environment());
            return new WarmPool.Slot(key, session, SessionImage.load(session.dir()), id, held);
        } catch (RuntimeException e) {
            removeDirs(session);
            throw e;
        }
    }

    @Override
    public void remove(WarmPool.Slot slot) {
        try {
            engine.remove(slot.container());
        } catch (RuntimeException e) {
            LOG.warn("could not remove warm container {}: {}", slot.container(), e.getMessage());
        }
        removeDirs(slot.session());
    }

    private void removeDirs(Session s) {
        services.remove(s);
        SessionDirs.remove(engine, s);
    }
}
