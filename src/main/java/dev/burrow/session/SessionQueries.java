package dev.burrow.session;

import dev.burrow.agent.AgentEvent;
import dev.burrow.session.SessionException.Kind;
import dev.burrow.store.SessionStore;
import dev.burrow.store.StoredEvent;
import java.util.List;
import java.util.Optional;
import java.util.Objects;

/** What the web layer and the CLI read about sessions; nothing here changes anything. */
public final class SessionQueries {
    private final SessionStore store;
    private final SessionRecorder recorder;

    SessionQueries(SessionStore store, SessionRecorder recorder) {
        this.store = Objects.requireNonNull(store);
        this.recorder = Objects.requireNonNull(recorder);
    }

    /** Sees every stored event and every state change of every session this process follows. */
    public Runnable subscribe(SessionManager.Listener l) {
        return recorder.subscribe(l);
    }

    public List<Session> list() {
        return store.list();
    }

    /** The session with this id or short id; a deleted one is not found. */
    public Session get(String id) {
        return store.find(id).filter(s -> s.state() != SessionState.DELETED)
                .orElseThrow(() -> new SessionException(Kind.NOT_FOUND, "no session " + id + "; ./burrow sessions lists them"));
    }

    public List<StoredEvent> events(String id, long afterSeq) {
        return store.events(get(id).id(), afterSeq);
    }

    /** Up to {@code maxCount} events after {@code afterSeq}, unread, fewer once they add up to 16 MiB of JSON. */
    public List<StoredEvent> eventPage(String id, long afterSeq, int maxCount) {
        return store.unreadEvents(get(id).id(), afterSeq, maxCount, PAGE_CHARS);
    }

    /** The last events before {@code beforeSeq}, unread: at most 300, fewer once they add up to 4 MiB of JSON. */
    public List<StoredEvent> transcriptTail(String id, long beforeSeq) {
        return store.eventsBefore(get(id).id(), beforeSeq, 300, 4L << 20);
    }

    /** How the session's last turn ended, if one did. */
    public Optional<AgentEvent.TurnResult> lastTurnResult(String id) {
        return store.lastOfType(get(id).id(), "result").map(StoredEvent::event)
                .filter(AgentEvent.TurnResult.class::isInstance).map(AgentEvent.TurnResult.class::cast);
    }

    static final long PAGE_CHARS = 16L << 20;

    public long lastSeq(String id) {
        return store.lastSeq(get(id).id());
    }

    public List<SessionStore.TurnUsage> turns(String id) {
        return store.turns(get(id).id());
    }

    /** What the session's model gateway saw pass: usage the container cannot forge. */
    public dev.burrow.store.ModelUsageStore.Totals modelUsage(String id) {
        return store.usage().totals(get(id).id());
    }

    /** Every session's gateway totals, by session id, in one read. */
    public java.util.Map<String, dev.burrow.store.ModelUsageStore.Totals> modelUsage() {
        return store.usage().all();
    }

    public List<String> recentRepos() {
        return store.recentRepos(20);
    }
}
