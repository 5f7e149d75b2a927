package dev.burrow.session;

import dev.burrow.agent.AgentEvent;
import dev.burrow.agent.EventParser;
import dev.burrow.session.SessionException.Kind;
import dev.burrow.store.SessionStore;
import dev.burrow.store.StoredEvent;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a session's events and state changes, then announces them: every event is stored
 * before any listener hears of it, and every state change is checked against the allowed
 * moves, stored atomically, then announced. A listener that fails never stops the others.
 */
final class SessionRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRecorder.class);

    private final SessionStore store;
    private final long transcriptQuota;
    private final List<SessionManager.Listener> listeners = new CopyOnWriteArrayList<>();
    // Bytes of events each session has stored, counted from the store the first time it is needed.
    private final Map<String, Long> storedBytes = new ConcurrentHashMap<>();

    SessionRecorder(SessionStore store, long transcriptQuota) {
        this.store = Objects.requireNonNull(store);
        this.transcriptQuota = transcriptQuota;
    }

    Runnable subscribe(SessionManager.Listener l) {
        listeners.add(Objects.requireNonNull(l));
        return () -> listeners.remove(l);
    }

    /**
     * Stores a line the container wrote ({@code cutBytes}: how much of it was left out) and
     * hands it on, unless the session's stored events have reached their quota: then it is
     * dropped and the answer is empty. The container decides how much it prints; the quota
     * keeps that from filling the disk or the memory of whoever reads the transcript.
     */
    Optional<AgentEvent> appendFromContainer(String id, String line, long endOffset, long cutBytes) {
        if (overQuota(id)) return Optional.empty();
        AgentEvent event = EventParser.parseFromContainer(line, cutBytes);
        append(id, event, endOffset);
        return Optional.of(event);
    }

    /** The session's stored events have reached the quota. */
    boolean overQuota(String id) {
        return storedBytes.computeIfAbsent(id, store::eventBytes) >= transcriptQuota;
    }

    /** The quota, in words, for the reason a session stops. */
    String quotaReason() {
        return "stopped: its transcript reached the quota of " + (transcriptQuota >> 20)
                + " MiB (BURROW_TRANSCRIPT_QUOTA_MB); raise it and resume, or delete the session";
    }

    /** Stores the event (with the output offset it reached, or -1) and hands it to every listener. */
    StoredEvent append(String id, AgentEvent event, long offset) {
        StoredEvent stored = store.append(id, event, offset);
        storedBytes.computeIfPresent(id, (k, n) -> n + event.json().length());
        for (SessionManager.Listener l : listeners) {
            try {
                l.onEvent(stored);
            } catch (RuntimeException e) {
                LOG.warn("listener failed: {}", e.toString());
            }
        }
        return stored;
    }

    /**
     * Moves the session to {@code state} from whatever state it is in, if that move is allowed;
     * the move is atomic, so a concurrent one is never overwritten: it is read again and checked.
     */
    Session setState(String id, SessionState state, String reason) {
        while (true) {
            Session s = store.find(id).orElseThrow();
            if (s.state() != state && !s.state().canMoveTo(state)) {
                throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " cannot go from " + s.state().label() + " to " + state.label());
            }
            if (store.transition(id, s.state(), state, reason)) return announced(id);
        }
    }

    /**
     * Moves the session from {@code from} to {@code to} only if it is still in {@code from};
     * empty when it is not (another thread or process moved it first).
     */
    Optional<Session> transition(String id, SessionState from, SessionState to, String reason) {
        if (!from.canMoveTo(to) && from != to) throw new IllegalArgumentException(from + " -> " + to);
        return store.transition(id, from, to, reason) ? Optional.of(announced(id)) : Optional.empty();
    }

    /** The session as stored now. */
    Session current(String id) {
        return store.find(id).orElseThrow();
    }

    private Session announced(String id) {
        Session now = store.find(id).orElseThrow();
        announce(now);
        return now;
    }

    /** Tells every listener about a session whose new state is already stored. */
    void announce(Session s) {
        for (SessionManager.Listener l : listeners) {
            try {
                l.onState(s);
            } catch (RuntimeException e) {
                LOG.warn("listener failed: {}", e.toString());
            }
        }
    }
}
