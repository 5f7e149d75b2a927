package dev.burrow.session;

import dev.burrow.agent.EventParser;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerException;
import dev.burrow.container.ContainerState;
import dev.burrow.store.SessionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the store in line with the containers: at every command's start, and periodically in
 * the server, so that a live session nobody follows (its CLI exited) is taken over and one
 * whose container went away unseen is stopped with its work saved.
 */
final class SessionReconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionReconciler.class);

    private final ContainerEngine engine;
    private final SessionStore store;
    private final SessionRecorder recorder;
    private final SessionSupervisor supervisor;
    private final StartGuard starts;
    private volatile Thread periodic;
    private final String install;
    private final Path sessionsDir;

    /** {@code install}: this install's label value ({@link AgentLaunch#install}); only its session containers are ever removed. */
    SessionReconciler(ContainerEngine engine, SessionStore store, SessionRecorder recorder, SessionSupervisor supervisor, StartGuard starts, String install,
                      Path sessionsDir) {
        this.install = Objects.requireNonNull(install);
        this.sessionsDir = Objects.requireNonNull(sessionsDir);
        this.engine = Objects.requireNonNull(engine);
        this.store = Objects.requireNonNull(store);
        this.recorder = Objects.requireNonNull(recorder);
        this.supervisor = Objects.requireNonNull(supervisor);
        this.starts = Objects.requireNonNull(starts);
    }

    /**
     * Sessions whose container is gone become stopped (after storing whatever their agent
     * printed meanwhile) and can be resumed; with {@code follow}, sessions whose container runs
     * are followed from their offset. Sessions that a thread or process is starting right now
     * are left to it.
     */
    void reconcile(boolean follow) {
        List<ContainerState> owned;
        try {
            owned = engine.listOwned();
        } catch (ContainerException e) {
            LOG.warn("cannot list containers: {}", e.getMessage());
            return;
        }
        List<ContainerState> running = owned.stream().filter(ContainerState::running).toList();
        removeStrays(owned);
        List<Thread> ending = new ArrayList<>();
        for (Session listed : store.list()) {
            if (!listed.state().live() || supervisor.follows(listed.id())) continue;
            boolean up = listed.containerId() != null && running.stream().anyMatch(c -> c.id().equals(listed.containerId()));
            if (up) {
                if (follow) supervisor.follow(listed, false);
                continue;
            }
            Optional<StartGuard.Held> held = starts.tryHold(listed);
            if (held.isEmpty()) continue;
            Session s = recorder.current(listed.id()); // as it is now that nobody can be starting it
            if (!s.state().live() || !Objects.equals(s.containerId(), listed.containerId())) {
                held.get().close();
            } else if (s.containerId() == null) {
                try (StartGuard.Held ignored = held.get()) {
                    recorder.transition(s.id(), SessionState.CREATING, SessionState.FAILED, "interrupted while it was being created");
                }
            } else {
                // Its work is saved by a throwaway container, which takes a while: one session at a time would hold up the rest.
                ending.add(Thread.ofVirtual().name("reconcile-" + s.shortId()).start(() -> {
                    try (StartGuard.Held ignored = held.get()) {
                        drain(s);
                        supervisor.end(recorder.current(s.id()), SessionState.STOPPED, "the container is gone; resume to continue");
                    }
                }));
            }
        }
        for (Thread t : ending) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Removes this install's session containers that no session has: of a session deleted or
     * gone from the database, or not the container a session records (left by a start that failed half-way,
     * or by a stop that did not finish). A session being started (by any process) is left alone.
     */
    private void removeStrays(List<ContainerState> owned) {
        for (ContainerState c : owned) {
            String sid = c.sessionLabel();
            String of = c.labels().get(AgentLaunch.INSTALL_LABEL);
            if (sid == null || sid.isBlank() || of == null || of.isBlank()) continue;
            if (!install.equals(of)) {
                // Another install's: left alone while its data dir exists; with the data dir gone, nobody can ever follow it.
                if (!installGone(of)) continue;
                removeQuietly(c, "its data dir " + of + " is gone");
                continue;
            }
            Optional<Session> listed = store.find(sid).filter(s -> s.id().equals(sid));
            if (listed.isPresent() && isItsContainer(listed.get(), c)) continue;
            if (listed.isEmpty() && heldUnstored(sid)) continue; // a warm container, or a session being stored
            
            Optional<StartGuard.Held> held = listed.isPresent() ? starts.tryHold(listed.get()) : Optional.empty();
            if (listed.isPresent() && held.isEmpty()) continue;
            try {
                if (listed.isPresent() && isItsContainer(recorder.current(sid), c)) continue;
                removeQuietly(c, listed.isEmpty() ? "no such session" : "not the session's container");
            } finally {
                held.ifPresent(StartGuard.Held::close);
            }
        }
    }

    /**
     * Whether some Burrow process holds a session id that has no row: a warm container waiting
     * for its claim ({@link WarmPool}) holds its session-to-be for as long as it waits.
     */
    private boolean heldUnstored(String sid) {
        if (!sid.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) return false;
        Path dir = sessionsDir.resolve(sid);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return false;
        Optional<StartGuard.Held> held = starts.tryHold(Session.builder(sid, dir).build());
        held.ifPresent(StartGuard.Held::close);
        return held.isEmpty();
    }

    private void removeQuietly(ContainerState c, String why) {
        LOG.info("removing container {} of session {}: {}", c.id().substring(0, Math.min(12, c.id().length())), c.sessionLabel(), why);
        try {
            engine.remove(c.id());
        } catch (RuntimeException e) {
            LOG.warn("could not remove stray container {}: {}", c.id(), e.getMessage());
        }
    }

    private static boolean installGone(String dataDir) {
        try {
            Path p = Path.of(dataDir);
            return p.isAbsolute() && !Files.exists(p, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    private static boolean isItsContainer(Session s, ContainerState c) {
        return s.state().live() && c.id().equals(s.containerId());
    }

    /** Reconciles (and so follows) every {@code period} until closed: the server takes over sessions nobody follows. */
    synchronized void every(Duration period, Runnable also) {
        if (periodic != null) return;
        periodic = Thread.ofVirtual().name("reconcile").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(period);
                    reconcile(true);
                    also.run();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("reconciling sessions: {}", e.toString());
                }
            }
        });
    }

    /** Stores the lines the agent printed while no Burrow process was following it. */
    private void drain(Session s) {
        try {
            AgentChannel channel = AgentChannel.of(s.mode(), engine, recorder);
            Optional<LiveSession> l = LiveSession.tryFollow(s.id(), s.dir(), engine.agentPipe(s.runDir()), s.outOffset(), channel, new AgentLink.Handler() {
                public void onLine(String line, long end, long cut) {
                    recorder.appendFromContainer(s.id(), line, end, cut);
                }

                public void onExit(int code, boolean idle) {
                }
            });
            if (l.isEmpty()) return;
            // The agent is gone: mark its end, if it could not, so the reader stops at the last line.
            l.get().link.markGone();
            l.get().link.start(s.shortId());
            l.get().link.awaitEnd(10_000);
            l.get().close();
        } catch (IOException e) {
            LOG.warn("cannot read the output of session {}: {}", s.shortId(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        if (periodic != null) periodic.interrupt();
    }
}
