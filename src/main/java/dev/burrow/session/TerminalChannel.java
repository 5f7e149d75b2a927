package dev.burrow.session;

import dev.burrow.container.ContainerEngine;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Terminal mode: the interactive Claude Code in tmux. A message is typed into its screen
 * ({@link TuiInput}); its hooks, not Burrow, record the prompt and say when the turn ends. The
 * first prompt goes in with the container's start; Esc interrupts, and since an interrupted
 * turn runs no Stop hook, Burrow records the wait itself. Closing Claude Code (exit 0) stops
 * the session, resumably.
 */
final class TerminalChannel implements AgentChannel {
    // Linux caps one command-line argument at 128 KiB, and the first prompt becomes one.
    static final int MAX_FIRST_PROMPT_BYTES = 100 * 1024;

    private final ContainerEngine engine;
    private final SessionRecorder recorder;

    TerminalChannel(ContainerEngine engine, SessionRecorder recorder) {
        this.engine = Objects.requireNonNull(engine);
        this.recorder = Objects.requireNonNull(recorder);
    }

    @Override
    public void checkFirstPrompt(String prompt) {
        if (prompt.getBytes(StandardCharsets.UTF_8).length > MAX_FIRST_PROMPT_BYTES) {
            throw new SessionException(SessionException.Kind.TOO_LARGE,
                    "in terminal mode the first prompt is at most 100 KiB; start with a shorter one and paste the rest");
        }
    }

    @Override
    public void prepareStart(Session s, String firstPrompt) {
        if (firstPrompt != null && !firstPrompt.isBlank()) AgentLaunch.writeFirstPrompt(s, firstPrompt);
    }

    @Override
    public Session begin(Session s, LiveSession live, String firstPrompt) {
        // The hooks report the prompt and the turn; until then the state says what was asked for.
        boolean asked = firstPrompt != null && !firstPrompt.isBlank();
        return recorder.setState(s.id(), asked ? SessionState.RUNNING : SessionState.IDLE, null);
    }

    @Override
    public Session send(Session s, LiveSession live, String text) {
        // Typed into Claude's screen; its UserPromptSubmit hook records the prompt.
        TuiInput.type(engine, s, text);
        return recorder.setState(s.id(), SessionState.RUNNING, null);
    }

    @Override
    public void interrupt(Session s, LiveSession live) {
        TuiInput.interrupt(engine, s);
        live.turns.interrupted();
        recorder.setState(s.id(), SessionState.IDLE, null);
    }

    @Override
    public Ending exited(int exitCode) {
        if (exitCode == 0) return new Ending(SessionState.STOPPED, "Claude Code was closed in the terminal; resume to continue");
        return new Ending(SessionState.FAILED, "Claude Code exited with code " + exitCode);
    }

    @Override
    public String where() {
        return ", in the terminal";
    }
}
