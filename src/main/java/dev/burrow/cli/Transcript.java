package dev.burrow.cli;

import dev.burrow.agent.AgentEvent;
import dev.burrow.session.Session;
import dev.burrow.session.SessionManager;
import dev.burrow.session.SessionState;
import dev.burrow.store.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;

/**
 * Prints a session's events as they are stored, readable or one JSON object a line, until
 * the turn ends. It reads the store, so it shows the same log the web shows, in order.
 */
final class Transcript {
    private final PrintStream out;
    /** Setup steps whose output came in pieces, as it ran. */
    private final java.util.Set<String> streamed = new java.util.HashSet<>();
    private final boolean json;

    Transcript(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /** Follows the session from {@code afterSeq} until no turn is running; returns the session then. */
    Session follow(SessionManager sessions, String id, long afterSeq) throws InterruptedException {
        long seq = afterSeq;
        while (true) {
            Session s = sessions.get(id);
            seq = printAfter(sessions, id, seq);
            if (s.state() != SessionState.RUNNING && s.state() != SessionState.CREATING) {
                printAfter(sessions, id, seq);
                return s;
            }
            Thread.sleep(5);
        }
    }

    /** Prints every stored event after {@code seq}, a page at a time; returns the last one's number. */
    private long printAfter(SessionManager sessions, String id, long seq) {
        for (List<StoredEvent> page; !(page = sessions.eventPage(id, seq, 200)).isEmpty(); ) {
            for (StoredEvent e : page) {
                print(e.read());
                seq = e.seq();
            }
        }
        return seq;
    }

    void print(StoredEvent e) {
        if (json) {
            // Stored JSON escapes every control character: nothing in it can reach the terminal as one.
            out.println("{\"session\":\"" + e.sessionId() + "\",\"seq\":" + e.seq() + ",\"event\":" + e.event().json() + "}");
            out.flush();
            return;
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        render(e, new PrintStream(text, true, StandardCharsets.UTF_8));
        out.print(safeForTerminal(text.toString(StandardCharsets.UTF_8)));
        out.flush();
    }

    /**
     * The agent's text without the control characters a terminal acts on (C0 but newline and
     * tab, DEL, C1): no escape sequence it writes (OSC 52 clipboard writes, titles, colours,
     * carriage returns that overwrite a line) reaches the user's terminal.
     */
    static String safeForTerminal(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f) || c > 0x9f) b.append(c);
        }
        return b.toString();
    }

    private void render(StoredEvent e, PrintStream out) {
        switch (e.event()) {
            case AgentEvent.UserPrompt p -> out.println("> " + p.text());
            case AgentEvent.Assistant a -> {
                for (JsonNode b : a.message().path("content")) {
                    switch (b.path("type").asString("")) {
                        case "text" -> out.println(b.path("text").asString(""));
                        case "tool_use" -> out.println("* " + b.path("name").asString("") + ": " + summary(b.path("input")));
                        default -> { }
                    }
                }
            }
            case AgentEvent.ToolResults t -> {
                for (JsonNode b : t.message().path("content")) {
                    if (!"tool_result".equals(b.path("type").asString(""))) continue;
                    String text = b.path("content").isString() ? b.path("content").asString() : b.path("content").toString();
                    text.lines().limit(8).forEach(l -> out.println("  | " + l));
                }
            }
            case AgentEvent.TurnResult r -> out.printf("-- turn %s: $%.4f, %d in / %d out tokens, %.1f s, as the agent reports%s%n",
                    r.isError() ? "failed" : "done", r.costUsd(), r.tokens().input(), r.tokens().output(), r.durationMs() / 1000.0,
                    r.isError() && !r.text().isBlank() ? ": " + r.text() : "");
            case AgentEvent.Notice n -> out.println("[burrow] " + n.text());
            case AgentEvent.SystemInit i -> out.println("[claude] conversation " + i.claudeSessionId() + (i.model().isEmpty() ? "" : " (" + i.model() + ")"));
            case AgentEvent.TerminalHook h -> {
                if (h.hook().equals(AgentEvent.TerminalHook.PROMPT)) out.println("> " + h.text() + "  (typed in the terminal)");
                else if (h.hook().equals(AgentEvent.TerminalHook.NOTIFICATION)) out.println("[claude] " + h.text());
            }
            case AgentEvent.SetupStep st -> {
                // Its output as it comes; the end repeats the tail only when none came (an older container's).
                if (st.progress()) {
                    streamed.add(st.script());
                    out.print(st.output().indent(2));
                } else if (!st.ended()) {
                    out.println("[setup] " + st.script());
                } else {
                    out.println("[setup] " + st.script() + ": exit " + st.exitCode() + String.format(java.util.Locale.ROOT, " (%.1f s)", st.durationMs() / 1000.0));
                    if (!streamed.remove(st.script())) out.print(st.output().indent(2));
                }
            }
            case AgentEvent.ControlResponse c -> { }
            case AgentEvent.Unknown u -> { }
            case AgentEvent.Unread u -> { }
        }
    }

    private static String summary(JsonNode input) {
        for (String key : new String[] {"command", "file_path", "pattern", "url", "description"}) {
            if (input.has(key)) return input.path(key).asString("");
        }
        String s = input.toString();
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
