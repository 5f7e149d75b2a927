package dev.burrow.session;

import dev.burrow.agent.EventParser;
import dev.burrow.container.ContainerEngine;
import dev.burrow.session.SessionException.Kind;
import dev.burrow.store.SessionStore;
import java.nio.file.Files;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Gives a stopped or failed session a fresh container that continues its conversation
 * (Claude Code's --resume), in the mode it is in now, or in the other one (a mode switch).
 */
final class SessionResumer {
    private final ContainerEngine engine;
    private final SessionStore store;
    private final SessionRecorder recorder;
    private final ContainerStarter starter;
    private final SessionSupervisor supervisor;
    private final StartGuard starts;

    SessionResumer(ContainerEngine engine, SessionStore store, SessionRecorder recorder, ContainerStarter starter, SessionSupervisor supervisor,
                   StartGuard starts) {
        this.engine = Objects.requireNonNull(engine);
        this.store = Objects.requireNonNull(store);
        this.recorder = Objects.requireNonNull(recorder);
        this.starter = Objects.requireNonNull(starter);
        this.supervisor = Objects.requireNonNull(supervisor);
        this.starts = Objects.requireNonNull(starts);
    }

    /** A fresh container for a session that has none; {@code first} (or null) is the message it starts with. */
    Session resume(Session s, String first, Consumer<String> progress) {
        String id = s.id();
        if (!s.state().canMoveTo(SessionState.CREATING)) throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " cannot be resumed");
        if (!Files.isDirectory(s.workspace())) throw new SessionException(Kind.CONFLICT, "the workspace of session " + s.shortId() + " is gone; start a new session");
        starter.checkRunnable();
        AgentChannel channel = AgentChannel.of(s.mode(), engine, recorder);
        try (StartGuard.Held held = starts.hold(s)) {
            if (recorder.transition(id, s.state(), SessionState.CREATING, null).isEmpty()) {
                throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " changed meanwhile; look at it again");
            }
            progress.accept("starting a fresh container");
            String containerId;
            try {
                containerId = starter.start(s, channel, first, progress);
            } catch (RuntimeException e) {
                recorder.setState(id, SessionState.FAILED, "could not start the container: " + e.getMessage());
                throw new SessionException(Kind.UNAVAILABLE, e.getMessage(), e);
            }
            store.setContainer(id, containerId);
            recorder.append(id, EventParser.notice("info", EventParser.RESUMED + channel.where()), -1);
            recorder.transition(id, SessionState.CREATING, SessionState.IDLE, null);
            Session started = recorder.current(id);
            supervisor.follow(started, true);
            return supervisor.whileLive(started, (current, live) -> live.channel.begin(current, live, first));
        }
    }

    /**
     * Continues a session in {@code mode}: the running Claude Code ends (its container is
     * removed, the work saved) and a fresh one resumes the same conversation.
     */
    Session switchMode(Session s, SessionMode mode, Consumer<String> progress) {
        String id = s.id();
        if (s.state().live() && s.containerId() != null) {
            // What the agent reported while no Burrow process followed it (a terminal session
            // started from the CLI) decides whether a turn is running: read it first.
            supervisor.catchUp(s, 2000);
            s = recorder.current(id);
        }
        if (s.state() == SessionState.RUNNING) {
            throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " is in the middle of a turn; wait for it or interrupt it, then switch");
        }
        if (s.state() == SessionState.CREATING) throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " is still starting; try again in a moment");
        if (s.mode() == mode && s.state().live()) return s;
        if (s.state().live()) supervisor.end(s, SessionState.STOPPED, null);
        store.setMode(id, mode);
        progress.accept("continuing in " + mode.place());
        return resume(recorder.current(id), null, progress);
    }
}
