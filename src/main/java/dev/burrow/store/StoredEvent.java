package dev.burrow.store;

import dev.burrow.agent.AgentEvent;
import dev.burrow.agent.EventParser;
import java.time.Instant;

/** An event as the log holds it: its session, its place in the session's order, and when. */
public record StoredEvent(String sessionId, long seq, AgentEvent event, Instant at) {
    /** This event, read ({@link EventParser#parse}) if it came from the store unread: for rendering it. */
    public StoredEvent read() {
        return event instanceof AgentEvent.Unread u ? new StoredEvent(sessionId, seq, EventParser.parse(u.json()), at) : this;
    }
}
