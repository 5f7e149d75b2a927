package dev.burrow.session;

import dev.burrow.container.ContainerEngine;
import java.util.List;

/**
 * How Burrow talks to the Claude Code in a session's container, one implementation per mode:
 * {@link ChatChannel} (headless, stream-json through the input FIFO) and {@link TerminalChannel}
 * (the interactive Claude Code in tmux, its hooks reporting turns). Everything that differs
 * between the modes is decided here and nowhere else in the engine.
 *
 * <p>Lock rule: {@link #begin}, {@link #send} and {@link #interrupt} are called with the
 * {@link LiveSession}'s monitor held, after the caller checked that the session is still live.
 */
sealed interface AgentChannel permits ChatChannel, TerminalChannel {

    static AgentChannel of(SessionMode mode, ContainerEngine engine, SessionRecorder recorder) {
        return switch (mode) {
            case CHAT -> new ChatChannel(recorder);
            case TERMINAL -> new TerminalChannel(engine, recorder);
        };
    }

    /** How Claude Code is started for this mode: headless with stream-json both ways, or interactive (no flags). */
    static List<String> claudeFlags(SessionMode mode) {
        return switch (mode) {
            case CHAT -> List.of("-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose");
            case TERMINAL -> List.of();
        };
    }

    /** Refuses a new session's first prompt (blank: none) that this mode cannot start with. */
    void checkFirstPrompt(String prompt);

    /** Before the container starts: leaves in the run dir what the agent needs to start with this prompt (blank: none). */
    void prepareStart(Session s, String firstPrompt);

    /** The agent started and is followed: hands it the first prompt unless it had it at start; returns the session as it is now. */
    Session begin(Session s, LiveSession live, String firstPrompt);

    /** Passes a message to the agent and records the state that follows. */
    Session send(Session s, LiveSession live, String text);

    /** Interrupts the running turn. */
    void interrupt(Session s, LiveSession live);

    /** What the agent's exit with this code means, when neither an idle timeout nor a failed setup explains it. */
    Ending exited(int exitCode);

    /** A few words for the transcript about where the conversation continues ("" or ", in the terminal"). */
    String where();

    /** How a session ends: its final state and the reason recorded with it. */
    record Ending(SessionState state, String reason) {
    }
}
