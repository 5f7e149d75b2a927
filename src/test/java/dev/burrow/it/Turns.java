package dev.burrow.it;

import dev.burrow.agent.AgentEvent;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionState;
import dev.burrow.session.SessionManager;
import dev.burrow.store.StoredEvent;
import java.nio.file.Path;
import java.time.Duration;

/** A session's one turn run to its end through the scripted model, and what its transcript holds. */
final class Turns {
    private Turns() {
    }

    /** A new session of {@code repo} whose agent runs {@code command} in its Bash tool; answered once its turn ended. */
    static Session bash(SessionManager sessions, Path repo, String command, Duration within) {
        return bash(sessions, repo, null, command, within);
    }

    /** The same, from {@code branch} of the repository (null: its HEAD). */
    static Session bash(SessionManager sessions, Path repo, String branch, String command, Duration within) {
        Session s = sessions.submit(new NewSession(repo.toString(), branch, "BASH: " + command));
        Eventually.await(within, "the session's turn to end", () -> {
            SessionState st = sessions.get(s.id()).state();
            return st != SessionState.RUNNING && st != SessionState.CREATING;
        });
        return sessions.get(s.id());
    }

    /** What the session's tools answered, all of it. */
    static String toolOutput(SessionManager sessions, Session s) {
        StringBuilder out = new StringBuilder();
        for (StoredEvent e : sessions.events(s.id(), 0)) {
            if (e.event() instanceof AgentEvent.ToolResults r) out.append(r.message().toString());
        }
        return out.toString();
    }

    /** Every event of the session, a line each. */
    static String transcript(SessionManager sessions, Session s) {
        StringBuilder out = new StringBuilder();
        for (StoredEvent e : sessions.events(s.id(), 0)) out.append(e.event()).append('\n');
        return out.toString();
    }
}
