package dev.burrow.session;

import dev.burrow.agent.AgentEvent;
import dev.burrow.agent.EventParser;
import dev.burrow.session.SessionException.Kind;
import java.io.IOException;
import java.util.Objects;
import java.util.UUID;

/**
 * Chat mode: Claude Code headless with stream-json on both sides. A message is stored as the
 * user's prompt, then written as one line into the agent's input FIFO; it opens a turn that
 * the agent's result line closes. Interrupt is a control request on the same FIFO.
 */
final class ChatChannel implements AgentChannel {
    private final SessionRecorder recorder;

    ChatChannel(SessionRecorder recorder) {
        this.recorder = Objects.requireNonNull(recorder);
    }

    @Override
    public void checkFirstPrompt(String prompt) {
        // In the terminal the user can type the first prompt on Claude's screen; in chat there is no other way.
        if (prompt.isEmpty()) throw new SessionException(Kind.BAD_INPUT, "the prompt is empty; say what the session should do");
    }

    @Override
    public void prepareStart(Session s, String firstPrompt) {
        // The prompt goes through the FIFO once the agent runs.
    }

    @Override
    public Session begin(Session s, LiveSession live, String firstPrompt) {
        if (firstPrompt == null || firstPrompt.isBlank()) return recorder.current(s.id());
        return send(s, live, firstPrompt);
    }

    @Override
    public Session send(Session s, LiveSession live, String text) {
        AgentEvent.UserPrompt prompt = EventParser.prompt(text);
        recorder.append(s.id(), prompt, -1);
        try {
            live.link.write(EventParser.userMessageLine(text));
        } catch (IOException e) {
            throw new SessionException(Kind.UNAVAILABLE, "could not reach the agent of session " + s.shortId() + ": " + e.getMessage());
        }
        live.turns.record(prompt);
        return recorder.setState(s.id(), SessionState.RUNNING, null);
    }

    @Override
    public void interrupt(Session s, LiveSession live) {
        // Claude Code answers with the interrupted turn's result line, which closes the turn.
        try {
            live.link.write(EventParser.interruptLine("interrupt-" + UUID.randomUUID()));
        } catch (IOException e) {
            throw new SessionException(Kind.UNAVAILABLE, "could not reach the agent: " + e.getMessage());
        }
    }

    @Override
    public Ending exited(int exitCode) {
        return new Ending(SessionState.FAILED, "Claude Code exited with code " + exitCode);
    }

    @Override
    public String where() {
        return "";
    }
}
