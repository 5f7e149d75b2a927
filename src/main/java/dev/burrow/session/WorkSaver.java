package dev.burrow.session;

import dev.burrow.agent.EventParser;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerState;
import dev.burrow.container.Exec;
import dev.burrow.container.ExecResult;
import dev.burrow.container.Limits;
import dev.burrow.host.HostSetup;
import dev.burrow.workspace.WorkBundle;
import dev.burrow.workspace.WorkspaceException;
import dev.burrow.workspace.Workspaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a session's work out of its container after each turn, without the host ever running
 * git in the workspace: runner/burrow-save makes a bundle of the branch and a snapshot of the
 * uncommitted work inside the container (or, when the container is gone, inside a throwaway one
 * with the workspace read-only), and hardened git on the host fetches it from the bundle file
 * ({@link Workspaces#receive}). All git work on one session is serialized here: a Push and a
 * turn's end would otherwise race on the same refs.
 */
final class WorkSaver {
    private static final Logger LOG = LoggerFactory.getLogger(WorkSaver.class);
    // What one save may print (the bundle of a turn's new objects) and how long it may take.
    static final long MAX_BUNDLE_BYTES = 2L * 1024 * 1024 * 1024;
    static final Duration SAVE_TIMEOUT = Duration.ofMinutes(2);

    private final ContainerEngine engine;
    private final Supplier<String> image;
    private final Limits limits;
    private final Workspaces workspaces;
    private final SessionRecorder recorder;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Set<String> saving = ConcurrentHashMap.newKeySet();
    // How each session's last save was made: through the run dir, exec, or a throwaway container.
    private final Map<String, String> ways = new ConcurrentHashMap<>();

    WorkSaver(ContainerEngine engine, Supplier<String> image, Limits limits, Workspaces workspaces, SessionRecorder recorder) {
        this.engine = Objects.requireNonNull(engine);
        this.image = Objects.requireNonNull(image);
        this.limits = Objects.requireNonNull(limits);
        this.workspaces = Objects.requireNonNull(workspaces);
        this.recorder = Objects.requireNonNull(recorder);
    }

    /**
     * Saves the work now; a failure becomes a warning in the transcript, never an exception.
     * While it runs the session shows "saving" (its state is announced as the save starts and ends).
     */
    void save(Session s) {
        serialized(s.id(), () -> {
            if (s.baseCommit() == null || !Files.isDirectory(s.workspace())) return null; // nothing cloned yet
            saving.add(s.id());
            recorder.announce(recorder.current(s.id()));
            try {
                long t0 = System.nanoTime();
                String done = saveNow(s);
                LOG.debug("session {}: saved {} in {} ms", s.shortId(), done, (System.nanoTime() - t0) / 1_000_000);
                markSaved(s);
            } catch (RuntimeException e) {
                recorder.append(s.id(), EventParser.notice("warning", "could not save the branch to " + s.source() + ": " + e.getMessage()), -1);
            } finally {
                saving.remove(s.id());
                recorder.announce(recorder.current(s.id()));
            }
            return null;
        });
    }

    // When the last save was taken, in the session's own dir (Burrow's; no container mounts it).
    private static final String SAVED_AT = "saved-at";

    private static void markSaved(Session s) {
        try {
            Path part = s.dir().resolve(SAVED_AT + ".part");
            Files.writeString(part, java.time.Instant.now().toString());
            Files.move(part, s.dir().resolve(SAVED_AT), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.debug("session {}: could not note the save's time: {}", s.shortId(), e.toString());
        }
    }

    /** When the session's work was last saved, if it was. */
    static java.util.Optional<java.time.Instant> savedAt(Session s) {
        try {
            return java.util.Optional.of(java.time.Instant.parse(Files.readString(s.dir().resolve(SAVED_AT)).strip()));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** How the session's last save was made ("run dir", "exec", "throwaway container"), if one was. */
    java.util.Optional<String> lastWay(String sessionId) {
        return java.util.Optional.ofNullable(ways.get(sessionId));
    }

    /** A save of the session's work is running now. */
    boolean saving(String sessionId) {
        return saving.contains(sessionId);
    }

    private String saveNow(Session s) {
        // Saves have a bound of their own, beside the start queue's: never behind a burst of starts, never a burst themselves.
        try {
            saves.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkspaceException("interrupted before the save");
        }
        try {
            return saveHoldingTurn(s);
        } finally {
            saves.release();
        }
    }

    /** Saves at once: a save is a podman exec and a host git fetch, each bursting Podman and the CPUs. */
    private final java.util.concurrent.Semaphore saves = new java.util.concurrent.Semaphore(4, true);

    private String saveHoldingTurn(Session s) {
        List<String> argv = WorkBundle.argv(s.branch(), s.baseCommit(), s.shortId());
        Path bundle = s.dir().resolve("save.bundle");
        try {
            WorkBundle.Saved saved = s.containerId() == null ? null : inContainer(s, argv, bundle);
            if (saved == null) {
                // The container is gone: a throwaway one reads the workspace, read-only, with no network.
                WorkBundle.Receiver throwaway = new WorkBundle.Receiver(bundle, s.branch());
                ExecResult r;
                try (throwaway) {
                    r = engine.runOnce(AgentLaunch.saveSpec(s, image.get(), argv, limits, HostSetup.isRoot()), MAX_BUNDLE_BYTES, SAVE_TIMEOUT, throwaway);
                }
                if (!r.ok()) throw new WorkspaceException("the save in a throwaway container failed: " + r.firstErrorLine());
                ways.put(s.id(), "throwaway container");
                saved = throwaway.saved();
            }
            long t0 = System.nanoTime();
            String done = workspaces.receive(s.source(), s.branch(), s.shortId(), s.baseCommit(), saved);
            LOG.debug("session {}: save: received here in {} ms", s.shortId(), (System.nanoTime() - t0) / 1_000_000);
            return done;
        } catch (IOException e) {
            throw new WorkspaceException("could not keep the save's output: " + e.getMessage());
        } finally {
            Workspaces.deleteQuietly(bundle);
        }
    }

    /**
     * The save made in the session's running container: asked for through its run dir (no
     * podman exec), else through exec. Null when the container is not running.
     */
    private WorkBundle.Saved inContainer(Session s, List<String> argv, Path bundle) throws IOException {
        long t0 = System.nanoTime();
        WorkBundle.Receiver throughRunDir = new WorkBundle.Receiver(bundle, s.branch());
        // Once its agent has ended, the container is ending too: no one would answer there.
        boolean served = false;
        if (!Files.exists(s.runDir().resolve(dev.burrow.container.RunDir.EXIT), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (throughRunDir) {
                served = RunDirSave.save(s.runDir(), argv, throughRunDir, MAX_BUNDLE_BYTES, SAVE_TIMEOUT);
            }
        }
        if (served) {
            LOG.debug("session {}: save: made through the run dir in {} ms", s.shortId(), (System.nanoTime() - t0) / 1_000_000);
            ways.put(s.id(), "run dir");
            return throughRunDir.saved();
        }
        // Not served there (a container older than that, its server gone, a failure): exec, which says why it failed.
        WorkBundle.Receiver throughExec = new WorkBundle.Receiver(bundle, s.branch());
        ExecResult r;
        try (throughExec) {
            r = engine.exec(s.containerId(), new Exec(argv, null, MAX_BUNDLE_BYTES, SAVE_TIMEOUT), throughExec);
        }
        LOG.debug("session {}: save: made through exec in {} ms", s.shortId(), (System.nanoTime() - t0) / 1_000_000);
        if (r.ok()) {
            ways.put(s.id(), "exec");
            return throughExec.saved();
        }
        if (engine.inspect(s.containerId()).map(ContainerState::running).orElse(false)) {
            throw new WorkspaceException("the save in the container failed: " + r.firstErrorLine());
        }
        return null;
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
        ways.remove(sessionId);
    }
}
