package dev.burrow.store;

import dev.burrow.agent.AgentEvent;
import java.time.Instant;

/** An event as the log holds it: its session, its place in the session's order, and when. */
public record StoredEvent(String sessionId, long seq, AgentEvent event, Instant at) {
}
