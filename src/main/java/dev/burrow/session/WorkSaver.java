package dev.burrow.session;

import dev.burrow.agent.EventParser;
import dev.burrow.workspace.Workspace;
import dev.burrow.workspace.Workspaces;
import java.nio.file.Files;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Brings a session's work out of its workspace (the branch, and uncommitted changes as a
 * snapshot) and serializes all git work on one session: a Push and a turn's end would
 * otherwise race on the same refs and temporary index.
 */
final class WorkSaver {
    private final Workspaces workspaces;
    private final SessionRecorder recorder;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    WorkSaver(Workspaces workspaces, SessionRecorder recorder) {
        this.workspaces = Objects.requireNonNull(workspaces);
        this.recorder = Objects.requireNonNull(recorder);
    }

    /** Saves the work now; a failure becomes a warning in the transcript, never an exception. */
    void save(Session s) {
        serialized(s.id(), () -> {
            if (!Files.isDirectory(s.workspace())) return null;
            try {
                workspaces.sync(new Workspace(s.workspace(), s.branch(), s.baseCommit(), s.source()), s.shortId());
            } catch (RuntimeException e) {
                recorder.append(s.id(), EventParser.notice("warning", "could not save the branch to " + s.source() + ": " + e.getMessage()), -1);
            }
            return null;
        });
    }

    /** Runs git work on the session with no other git work on it at the same time. */
    <T> T serialized(String sessionId, Supplier<T> work) {
        ReentrantLock lock = locks.computeIfAbsent(sessionId, k -> new ReentrantLock());
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** The session is deleted: nothing of it is left to serialize. */
    void forget(String sessionId) {
        locks.remove(sessionId);
    }
}
