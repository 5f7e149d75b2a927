package dev.burrow.session;

import dev.burrow.agent.AgentEvent;
import dev.burrow.session.SessionException.Kind;
import dev.burrow.store.SessionStore;
import dev.burrow.store.StoredEvent;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a session's history and state are recorded and announced: every event is stored
 * before any listener hears of it, and every state change is checked against the allowed
 * moves, stored, then announced. A listener that fails never stops the others.
 */
final class SessionLog {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLog.class);

    private final SessionStore store;
    private final List<SessionManager.Listener> listeners = new CopyOnWriteArrayList<>();

    SessionLog(SessionStore store) {
        this.store = Objects.requireNonNull(store);
    }

    Runnable subscribe(SessionManager.Listener l) {
        listeners.add(Objects.requireNonNull(l));
        return () -> listeners.remove(l);
    }

    /** Stores the event (with the output offset it reached, or -1) and hands it to every listener. */
    StoredEvent append(String id, AgentEvent event, long offset) {
        StoredEvent stored = store.append(id, event, offset);
        for (SessionManager.Listener l : listeners) {
            try {
                l.onEvent(stored);
            } catch (RuntimeException e) {
                LOG.warn("listener failed: {}", e.toString());
            }
        }
        return stored;
    }

    Session setState(String id, SessionState state, String reason) {
        Session s = store.find(id).orElseThrow();
        if (s.state() != state && !s.state().canMoveTo(state)) {
            throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " cannot go from " + s.state().label() + " to " + state.label());
        }
        Session next = s.withState(state, reason);
        store.update(next);
        announce(next);
        return next;
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
