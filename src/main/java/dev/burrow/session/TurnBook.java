package dev.burrow.session;

import dev.burrow.agent.AgentEvent;
import dev.burrow.agent.EventParser;

/**
 * Counts a session's open turns from its events, the same way live and when read back from
 * the log: in chat every prompt opens a turn and every result closes one; in the terminal the
 * last hook decides (UserPromptSubmit opens, Stop or Notification closes). A chat session has
 * no hooks: a hook line in its output is the container's forgery and counts for nothing. Each
 * resume (Burrow's own notice, which the container cannot write) starts the count again: the
 * turns of the agent before it, perhaps in the other mode, ended with it. Pure: no I/O, no
 * clock. Not thread-safe; the supervisor confines each book to its session's lock.
 */
final class TurnBook {
    private final SessionMode mode;
    private int open;

    private TurnBook(SessionMode mode) {
        this.mode = java.util.Objects.requireNonNull(mode);
    }

    /** A book for an agent that just started: the turns of an earlier one ended with it. */
    static TurnBook fresh(SessionMode mode) {
        return new TurnBook(mode);
    }

    /** A book rebuilt from the stored events of a session whose agent this process did not start. */
    static TurnBook replay(SessionMode mode, Iterable<AgentEvent> events) {
        TurnBook book = new TurnBook(mode);
        for (AgentEvent e : events) book.record(e);
        return book;
    }

    /** Takes one stored event into account. */
    void record(AgentEvent event) {
        switch (event) {
            case AgentEvent.UserPrompt p -> open++;
            case AgentEvent.TurnResult r -> open = Math.max(0, open - 1);
            case AgentEvent.TerminalHook h when mode == SessionMode.TERMINAL -> open = startsTurn(h) ? 1 : endsTurn(h) ? 0 : open;
            case AgentEvent.Notice n when EventParser.isResume(n) -> open = 0;
            default -> { }
        }
    }

    /** Esc on Claude's screen ends its turn without a Stop hook. */
    void interrupted() {
        open = 0;
    }

    boolean anyOpen() {
        return open > 0;
    }

    int open() {
        return open;
    }

    /** The event closes a turn, so the work is saved and the session may be waiting for the user. */
    boolean endsTurn(AgentEvent event) {
        return event instanceof AgentEvent.TurnResult
                || mode == SessionMode.TERMINAL && event instanceof AgentEvent.TerminalHook h
                && (h.hook().equals(AgentEvent.TerminalHook.STOP) || h.hook().equals(AgentEvent.TerminalHook.NOTIFICATION));
    }

    /** The event says a turn began on the terminal's screen (the user typed a prompt there). */
    boolean startsTurn(AgentEvent event) {
        return mode == SessionMode.TERMINAL && event instanceof AgentEvent.TerminalHook h && h.hook().equals(AgentEvent.TerminalHook.PROMPT);
    }
}
