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
 * within seconds. Every {@link #PERIOD_MS} ms it looks whether each container's first process
 * on the host still lives (a read of /proc); only when one has ended, or its process is not
 * known, or {@link #LISTING_MS} ms have passed, does it ask Podman (one `podman ps` for all,
 * about 75 ms of CPU: once a second, that was most of what idle sessions cost). Only while
 * there is something to watch.
 */
final class ContainerMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerMonitor.class);
    static final long PERIOD_MS = 1000;
    static final long LISTING_MS = 30_000;

    private final ContainerEngine engine;
    private final BiConsumer<String, Optional<ContainerState>> onGone;
    private final Map<String, String> containerBySession = new ConcurrentHashMap<>();
    // Each watched container's first process, as found when it was first looked at (none: Podman is asked each round).
    private final Map<String, Optional<ProcessHandle>> processByContainer = new ConcurrentHashMap<>();
    private long listedAt;
    private final Thread thread;
    private volatile boolean closed;

    ContainerMonitor(ContainerEngine engine, BiConsumer<String, Optional<ContainerState>> onGone) {
        this.engine = engine;
        this.onGone = onGone;
        this.listedAt = System.nanoTime() - (LISTING_MS + 1) * 1_000_000; // the first round asks Podman
        this.thread = Thread.ofVirtual().name("container-monitor").start(this::loop);
    }

    void watch(String sessionId, String containerId) {
        String before = containerBySession.put(sessionId, containerId);
        if (before != null && !before.equals(containerId)) processByContainer.remove(before);
    }

    void unwatch(String sessionId) {
        String container = containerBySession.remove(sessionId);
        if (container != null) processByContainer.remove(container);
    }

    /** Every watched container's process is known and alive, and Podman was asked recently. */
    private boolean allAlive() {
        if (System.nanoTime() - listedAt > LISTING_MS * 1_000_000) return false;
        for (String container : containerBySession.values()) {
            Optional<ProcessHandle> p = processByContainer.get(container);
            if (p == null) {
                p = findProcess(container);
                processByContainer.put(container, p);
            }
            if (p.isEmpty()) return false;
            if (!p.get().isAlive()) {
                // Podman says next what became of the container; if it runs again (restarted), its new process is found then.
                processByContainer.remove(container);
                return false;
            }
        }
        return true;
    }

    private Optional<ProcessHandle> findProcess(String containerId) {
        try {
            return engine.mainProcess(containerId);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(PERIOD_MS);
                if (containerBySession.isEmpty() || allAlive()) continue;
                List<ContainerState> all = engine.listOwned();
                listedAt = System.nanoTime();
                for (var e : Map.copyOf(containerBySession).entrySet()) {
                    Optional<ContainerState> listed = all.stream().filter(x -> x.id().equals(e.getValue())).findFirst();
                    // A listing taken while Podman starts or removes other containers can miss one (seen under a burst of
                    // 16 starts): a container missing from it is asked for by its exact id before it counts as gone.
                    Optional<ContainerState> c = listed.isPresent() ? listed : confirmed(e.getValue());
                    if (c == null) continue; // could not tell this round
                    if (c.isEmpty() || !c.get().running()) {
                        containerBySession.remove(e.getKey());
                        processByContainer.remove(e.getValue());
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
