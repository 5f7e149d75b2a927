package dev.burrow.agent;

import tools.jackson.databind.JsonNode;

/**
 * One entry of a session's event log: a line Claude Code printed, parsed, or something
 * Burrow itself records (the user's prompt, a notice). {@link #json()} is what is stored:
 * Claude's own line verbatim, so that nothing it said is lost, even of types Burrow does not know.
 */
public sealed interface AgentEvent {

    /** The event's type as stored: Claude's "type" field, or burrow_* for Burrow's own. */
    String type();

    /** The stored form. */
    String json();

    /** The Claude conversation this event names (what --resume takes), or null. */
    default String claudeSessionId() {
        return null;
    }

    /** Claude Code started (or resumed) a conversation: its id is what --resume takes. */
    record SystemInit(String claudeSessionId, String model, String json) implements AgentEvent {
        public String type() { return "system"; }
    }

    /** A message from the model: text, thinking or tool calls. */
    record Assistant(JsonNode message, String json) implements AgentEvent {
        public String type() { return "assistant"; }
    }

    /** A user-role message Claude Code records, such as tool results. */
    record ToolResults(JsonNode message, String json) implements AgentEvent {
        public String type() { return "user"; }
    }

    /** The end of a turn, with what it cost. */
    record TurnResult(String subtype, boolean isError, String text, double costUsd, TokenUse tokens,
                      long durationMs, String json) implements AgentEvent {
        public String type() { return "result"; }
    }

    /** Claude Code's answer to a control request (such as an interrupt). */
    record ControlResponse(String json) implements AgentEvent {
        public String type() { return "control_response"; }
    }

    /** Anything else Claude Code printed, kept as it was. */
    record Unknown(String type, String json) implements AgentEvent { }

    /**
     * An event read back from the store but not parsed: for passing its stored JSON on as it
     * is (the API, the event stream), so that a long transcript is never turned into trees.
     * {@link EventParser#parse} reads it when it must be rendered.
     */
    record Unread(String type, String json) implements AgentEvent { }

    /**
     * A Claude Code hook of a terminal-mode session: UserPromptSubmit (working, with the
     * prompt as text), Stop (waiting) or Notification (Claude needs the user, with its message).
     */
    record TerminalHook(String hook, String claudeSessionId, String text, String json) implements AgentEvent {
        public static final String PROMPT = "UserPromptSubmit";
        public static final String STOP = "Stop";
        public static final String NOTIFICATION = "Notification";

        public String type() { return "burrow_hook"; }
    }

    /**
     * A setup step in a new container (an environment's lifecycle command, or the repository's
     * .burrow/setup.sh), named by {@code script}: its start, its output while it runs (each
     * {@link #OUTPUT} event a new piece), and its end, with the exit code and the tail of its output.
     */
    record SetupStep(String phase, String script, Integer exitCode, long durationMs, String output, String json) implements AgentEvent {
        public static final String START = "start";
        public static final String OUTPUT = "output";
        public static final String END = "end";

        public String type() { return "burrow_setup"; }

        public boolean ended() {
            return END.equals(phase);
        }

        /** A piece of output while the step runs. */
        public boolean progress() {
            return OUTPUT.equals(phase);
        }

        public boolean failed() {
            return ended() && exitCode != null && exitCode != 0;
        }
    }

    /** A message the user sent to the session. */
    record UserPrompt(String text, String json) implements AgentEvent {
        public String type() { return "burrow_prompt"; }
    }

    /** Something Burrow itself reports in the transcript: a state change, a failure, a synced branch. */
    record Notice(String level, String text, String json) implements AgentEvent {
        public String type() { return "burrow_notice"; }
    }

    record TokenUse(long input, long output, long cacheRead, long cacheCreation) {
        public static final TokenUse NONE = new TokenUse(0, 0, 0, 0);
    }
}
