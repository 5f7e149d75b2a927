package dev.burrow.session;

import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices containers that die under a followed session (killed from outside, out of memory)
 * within seconds: one `podman ps` for all of them every {@link #PERIOD_MS} ms, and only while
 * there is something to watch.
 */
final class ContainerMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerMonitor.class);
    static final long PERIOD_MS = 1000;

    private final ContainerEngine engine;
    private final BiConsumer<String, Optional<ContainerState>> onGone;
    private final Map<String, String> containerBySession = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    ContainerMonitor(ContainerEngine engine, BiConsumer<String, Optional<ContainerState>> onGone) {
        this.engine = engine;
        this.onGone = onGone;
        this.thread = Thread.ofVirtual().name("container-monitor").start(this::loop);
    }

    void watch(String sessionId, String containerId) {
        containerBySession.put(sessionId, containerId);
    }

    void unwatch(String sessionId) {
        containerBySession.remove(sessionId);
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(PERIOD_MS);
                if (containerBySession.isEmpty()) continue;
                List<ContainerState> all = engine.listOwned();
                for (var e : Map.copyOf(containerBySession).entrySet()) {
                    Optional<ContainerState> listed = all.stream().filter(x -> x.id().equals(e.getValue())).findFirst();
                    // A listing taken while Podman starts or removes other containers can miss one (seen under a burst of
                    // 16 starts): a container missing from it is asked for by its exact id before it counts as gone.
                    Optional<ContainerState> c = listed.isPresent() ? listed : confirmed(e.getValue());
                    if (c == null) continue; // could not tell this round
                    if (c.isEmpty() || !c.get().running()) {
                        containerBySession.remove(e.getKey());
                        // Ending a session saves its work, which can take a while: never on this thread,
                        // which watches every other session.
                        Thread.ofVirtual().name("container-gone-" + e.getKey()).start(() -> onGone.accept(e.getKey(), c));
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!closed) LOG.warn("watching containers: {}", e.getMessage());
            }
        }
    }

    /** The container as Podman knows it by its id; null when Podman could not say. */
    private Optional<ContainerState> confirmed(String containerId) {
        try {
            return engine.inspect(containerId);
        } catch (RuntimeException e) {
            LOG.debug("cannot inspect container {}: {}", containerId, e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
