package dev.burrow.session;

import dev.burrow.agent.AgentEvent;

/**
 * Counts a session's open turns from its events, the same way live and when read back from
 * the log: in chat every prompt opens a turn and every result closes one; in the terminal the
 * last hook decides (UserPromptSubmit opens, Stop or Notification closes). Pure: no I/O, no clock.
 * Not thread-safe; the supervisor confines each book to its session's lock.
 */
final class TurnBook {
    private int open;

    /** A book for an agent that just started: the turns of an earlier one ended with it. */
    static TurnBook fresh() {
        return new TurnBook();
    }

    /** A book rebuilt from the stored events of a session whose agent this process did not start. */
    static TurnBook replay(Iterable<AgentEvent> events) {
        TurnBook book = new TurnBook();
        for (AgentEvent e : events) book.record(e);
        return book;
    }

    /** Takes one stored event into account. */
    void record(AgentEvent event) {
        switch (event) {
            case AgentEvent.UserPrompt p -> open++;
            case AgentEvent.TurnResult r -> open = Math.max(0, open - 1);
            case AgentEvent.TerminalHook h -> open = startsTurn(h) ? 1 : endsTurn(h) ? 0 : open;
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
    static boolean endsTurn(AgentEvent event) {
        return event instanceof AgentEvent.TurnResult
                || event instanceof AgentEvent.TerminalHook h
                && (h.hook().equals(AgentEvent.TerminalHook.STOP) || h.hook().equals(AgentEvent.TerminalHook.NOTIFICATION));
    }

    /** The event says a turn began on the terminal's screen (the user typed a prompt there). */
    static boolean startsTurn(AgentEvent event) {
        return event instanceof AgentEvent.TerminalHook h && h.hook().equals(AgentEvent.TerminalHook.PROMPT);
    }
}
