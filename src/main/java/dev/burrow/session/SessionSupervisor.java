package dev.burrow.session;

import dev.burrow.agent.AgentEvent;
import dev.burrow.agent.EventParser;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerState;
import dev.burrow.session.AgentChannel.Ending;
import dev.burrow.session.SessionException.Kind;
import dev.burrow.store.SessionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the live sessions of this process: follows their agents' output into stored events,
 * counts their turns, saves the work when a turn ends, notices agents that exit and containers
 * that die, and ends sessions. {@link SessionReconciler} brings it the sessions it should follow.
 */
final class SessionSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionSupervisor.class);

    private final Duration idleTimeout;
    private final ContainerEngine engine;
    private final SessionStore store;
    private final SessionRecorder recorder;
    private final HostSideServices services;
    private final WorkSaver saver;
    private final ContainerMonitor monitor;
    private final Map<String, LiveSession> live = new ConcurrentHashMap<>();
    // Sessions being ended now: a reconcile meanwhile must not end (and save) them a second time.
    private final Set<String> ending = ConcurrentHashMap.newKeySet();

    SessionSupervisor(Duration idleTimeout, ContainerEngine engine, SessionStore store, SessionRecorder recorder, HostSideServices services,
                      WorkSaver saver) {
        this.idleTimeout = Objects.requireNonNull(idleTimeout);
        this.engine = Objects.requireNonNull(engine);
        this.store = Objects.requireNonNull(store);
        this.recorder = Objects.requireNonNull(recorder);
        this.services = Objects.requireNonNull(services);
        this.saver = Objects.requireNonNull(saver);
        this.monitor = new ContainerMonitor(engine, this::containerGone);
    }

    /**
     * Starts following the agent's output, from where this session's log left off; nothing
     * happens when another process follows it. A fresh agent has no open turns (those of a
     * dead one ended with it); for one this process did not start they come from the log.
     */
    void follow(Session s, boolean freshAgent) {
        if (live.containsKey(s.id())) return;
        try {
            AgentChannel channel = AgentChannel.of(s.mode(), engine, recorder);
            Optional<LiveSession> found = LiveSession.tryFollow(s.id(), s.dir(), engine.agentPipe(s.runDir()), recorder.current(s.id()).outOffset(),
                    channel, new Follower(s.id()));
            if (found.isEmpty()) return;
            LiveSession l = found.get();
            l.turns = freshAgent ? TurnBook.fresh(s.mode()) : TurnBook.replay(s.mode(), store.turnMarkers(s.id()));
            live.put(s.id(), l);
            services.open(s, l, () -> Optional.ofNullable(recorder.current(s.id()).containerId()));
            // A process that stored a turn's end and exited before recording the state it led to
            // (a CLI detaching): the log, not the stored state, says whether a turn is open.
            if (!freshAgent && !l.turns.anyOpen()) recorder.transition(s.id(), SessionState.RUNNING, SessionState.IDLE, null);
            l.link.start(s.shortId());
            if (s.containerId() != null) monitor.watch(s.id(), s.containerId());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This process's hold on a live session, following it first if nobody does. */
    LiveSession followOrFail(Session s) {
        LiveSession l = live.get(s.id());
        if (l != null) return l;
        follow(s, false);
        l = live.get(s.id());
        if (l == null) {
            throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " is followed by another Burrow process (the server?); use that one");
        }
        return l;
    }

    /**
     * Runs {@code action} on the live session under its lock, unless it is ending or ended
     * meanwhile (a repository setup that failed at once): then its stored row stands.
     */
    Session whileLive(Session s, BiFunction<Session, LiveSession, Session> action) {
        LiveSession l = followOrFail(s);
        synchronized (l) {
            Session now = recorder.current(s.id());
            if (l.stopping || !now.state().live()) return now;
            return action.apply(now, l);
        }
    }

    /** Reads what the agent printed so far, waiting up to {@code millis}. */
    void catchUp(Session s, long millis) {
        try {
            followOrFail(s).link.catchUp(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops following, saves the work, removes the container and records the final state. */
    void end(Session s, SessionState state, String reason) {
        finish(s, live.remove(s.id()), state, reason, null);
    }

    /**
     * Stops a session because the data dir's disk is (nearly) full: its container is removed
     * first, so nothing in it writes any more, then {@code makeRoom} frees Burrow's reserve, and
     * only then are its work saved (by a throwaway container) and its stop recorded.
     */
    void endForDisk(Session s, String reason, Runnable makeRoom) {
        finish(s, live.remove(s.id()), SessionState.STOPPED, reason, java.util.Objects.requireNonNull(makeRoom));
    }

    /**
     * Ends a session this process follows, for a reason its agent or container gave; when the
     * agent's exit and the container's death are both noticed, only the first one ends it (a
     * second ending, late, would overwrite the state of a session resumed meanwhile).
     */
    private void endFollowed(String id, LiveSession l, Ending e) {
        if (!live.remove(id, l)) return;
        finish(recorder.current(id), l, e.state(), e.reason(), null);
    }

    private void finish(Session s, LiveSession l, SessionState state, String reason, Runnable makeRoom) {
        if (!ending.add(s.id())) return;
        try {
            finishNow(s, l, state, reason, makeRoom);
        } finally {
            ending.remove(s.id());
        }
    }

    private void finishNow(Session s, LiveSession l, SessionState state, String reason, Runnable makeRoom) {
        if (l != null) {
            synchronized (l) {
                l.stopping = true;
            }
            l.close();
        }
        monitor.unwatch(s.id());
        if (makeRoom == null) {
            saver.save(s); // in the container while it still runs: quicker than a throwaway one after it
            removeContainers(s);
        } else {
            removeContainers(s);
            makeRoom.run();
            saver.save(recorder.current(s.id()));
        }
        services.unpin(s);
        if (reason != null) recorder.append(s.id(), EventParser.notice(state == SessionState.FAILED ? "error" : "info", reason), -1);
        recorder.setState(s.id(), state, reason);
    }

    /** Lets go of a session without ending it (its creation is being rolled back). */
    void release(String id) {
        LiveSession l = live.remove(id);
        if (l != null) l.close();
        monitor.unwatch(id);
    }

    // ---- what the agent prints ----

    private final class Follower implements AgentLink.Handler {
        private final String id;

        Follower(String id) {
            this.id = id;
        }

        @Override
        public void onLine(String line, long endOffset, long cutBytes) {
            LiveSession l = live.get(id);
            if (l == null) {
                recorder.appendFromContainer(id, line, endOffset, cutBytes);
                return;
            }
            AgentEvent event;
            boolean ends;
            // Stored, counted and acted on in one step: a message or an interrupt never lands in between.
            synchronized (l) {
                Optional<AgentEvent> stored = recorder.appendFromContainer(id, line, endOffset, cutBytes);
                if (stored.isEmpty() || recorder.overQuota(id)) {
                    if (!l.stopping) {
                        l.stopping = true;
                        // Ended from another thread: this one is the agent's reader, which the ending closes.
                        Thread.ofVirtual().name("quota-" + id).start(() -> endFollowed(id, l, new Ending(SessionState.STOPPED, recorder.quotaReason())));
                    }
                    return;
                }
                event = stored.get();
                l.turns.record(event);
                if (l.turns.startsTurn(event) && !l.stopping) recorder.transition(id, SessionState.IDLE, SessionState.RUNNING, null);
                ends = l.turns.endsTurn(event);
            }
            if (ends) turnEnded(id, l);
        }

        @Override
        public void onExit(int exitCode, boolean idleTimeout) {
            agentExited(id, exitCode, idleTimeout);
        }
    }

    private void turnEnded(String id, LiveSession l) {
        saver.save(recorder.current(id));
        synchronized (l) {
            if (!l.stopping && !l.turns.anyOpen()) recorder.transition(id, SessionState.RUNNING, SessionState.IDLE, null);
        }
    }

    // ---- the agent or its container ended ----

    private void agentExited(String id, int exitCode, boolean idleTimedOut) {
        LiveSession l = live.get(id);
        if (l == null || l.stopping) return;
        Session s = recorder.current(id);
        endFollowed(id, l, Endings.agentExited(s, l.channel, exitCode, idleTimedOut, idleTimeout));
    }

    private void containerGone(String id, Optional<ContainerState> state) {
        LiveSession l = live.get(id);
        if (l == null || l.stopping) return;
        try {
            l.link.awaitEnd(300); // let it read what the agent printed last
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Session s = recorder.current(id);
        if (!s.state().live()) return;
        boolean inTurn;
        synchronized (l) {
            inTurn = l.turns.anyOpen() || s.state() == SessionState.RUNNING;
        }
        endFollowed(id, l, Endings.containerGone(s, inTurn, state));
    }

    /** This process follows the session now. */
    boolean follows(String id) {
        return live.containsKey(id) || ending.contains(id);
    }

    /**
     * Removes the session's container, then those it made through its Podman socket: those on
     * its network went with its container, but one made with a network of its own (--network
     * none) would run on, writing to the stopped session's workspace. Its volumes, networks and
     * images stay until the session is deleted.
     */
    private void removeContainers(Session s) {
        if (s.containerId() != null) removeQuietly(s.containerId());
        try {
            for (String sibling : engine.siblings(s.id())) engine.removeSibling(sibling, s.id());
        } catch (RuntimeException e) {
            LOG.warn("could not remove the containers session {} started: {}", s.shortId(), e.getMessage());
        }
    }

    void removeQuietly(String containerId) {
        try {
            engine.remove(containerId);
        } catch (RuntimeException e) {
            LOG.warn("could not remove container {}: {}", containerId, e.getMessage());
        }
    }

    /** Stops following; the agents keep running in their containers for the next Burrow process. */
    @Override
    public void close() {
        monitor.close();
        live.values().forEach(LiveSession::close);
        live.clear();
    }
}
