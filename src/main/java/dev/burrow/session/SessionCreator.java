package dev.burrow.session;

import dev.burrow.agent.EventParser;
import dev.burrow.config.Config;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerException;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.session.SessionException.Kind;
import dev.burrow.store.SessionStore;
import dev.burrow.workspace.GitIdentity;
import dev.burrow.workspace.Source;
import dev.burrow.workspace.Workspace;
import dev.burrow.workspace.WorkspaceException;
import dev.burrow.workspace.Workspaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Makes a new session: checks the request, clones the workspace while the container starts,
 * hands the agent its first prompt. A creation that fails leaves nothing behind: no
 * container, no workspace, no session row.
 */
final class SessionCreator {
    private final Config config;
    private final ContainerEngine engine;
    private final Workspaces workspaces;
    private final SessionStore store;
    private final SessionRecorder recorder;
    private final ContainerStarter starter;
    private final SessionSupervisor supervisor;
    private final StartGuard starts;
    private final WarmPool warm;

    SessionCreator(Config config, ContainerEngine engine, Workspaces workspaces, SessionStore store, SessionRecorder recorder,
                   ContainerStarter starter, SessionSupervisor supervisor, StartGuard starts, WarmPool warm) {
        this.warm = Objects.requireNonNull(warm);
        this.config = Objects.requireNonNull(config);
        this.engine = Objects.requireNonNull(engine);
        this.workspaces = Objects.requireNonNull(workspaces);
        this.store = Objects.requireNonNull(store);
        this.recorder = Objects.requireNonNull(recorder);
        this.starter = Objects.requireNonNull(starter);
        this.supervisor = Objects.requireNonNull(supervisor);
        this.starts = Objects.requireNonNull(starts);
    }

    /** What a request asks for, checked, with the session it will be; {@code warm}: the warm container it claimed, or null. */
    private record Plan(Session session, AgentChannel channel, String prompt, Source source, String baseBranch, String environment, WarmPool.Slot warm) {
    }

    /** Makes the session and returns it live; a creation that fails leaves nothing behind. */
    Session create(NewSession req, Consumer<String> progress) {
        Plan p = plan(req, false);
        return build(p, admit(p), progress, true);
    }

    /**
     * Makes the session in the background and returns it at once, creating: its reason says
     * how far it is ("waiting to start: 2 ahead", "cloning"). A creation that fails leaves the
     * session failed with the reason (its workspace, if cloned, kept for a resume), nothing else.
     */
    Session submit(NewSession req) {
        Plan p = plan(req, true);
        StartGuard.Held held = admit(p);
        String id = p.session.id();
        Consumer<String> progress = new ProgressNote(line -> recorder.transition(id, SessionState.CREATING, SessionState.CREATING, line));
        progress.accept("queued");
        Thread.ofVirtual().name("create-" + p.session.shortId()).start(() -> {
            try {
                build(p, held, progress, false);
            } catch (RuntimeException e) {
                // Said in the session's reason and transcript by build.
            }
        });
        return recorder.current(id);
    }

    /** Stores the planned session, held against reconciles until its build lets go. */
    private StartGuard.Held admit(Plan p) {
        // A warm container's session is held already, since the pool made it.
        StartGuard.Held held = p.warm != null ? p.warm.held() : starts.hold(p.session);
        try {
            store.insert(p.session);
            if (p.warm != null) Files.deleteIfExists(p.session.dir().resolve(WarmPool.MARKER));
            return held;
        } catch (RuntimeException | IOException e) {
            if (p.warm != null) warm.discard(p.warm);
            else held.close();
            if (e instanceof RuntimeException re) throw re;
            throw new java.io.UncheckedIOException((IOException) e);
        }
    }

    /** {@code canWait}: the start can wait for a runner image build under way (it runs in the background). */
    private Plan plan(NewSession req, boolean canWait) {
        SessionMode mode = req.mode() == null ? SessionMode.CHAT : req.mode();
        AgentChannel channel = AgentChannel.of(mode, engine, recorder);
        String prompt = req.prompt() == null ? "" : req.prompt().strip();
        channel.checkFirstPrompt(prompt);
        SessionManager.checkMessageSize(prompt);
        Source source;
        String baseBranch = blankToNull(req.baseBranch());
        try {
            source = Source.parse(req.repo());
            workspaces.validate(source, baseBranch);
        } catch (WorkspaceException e) {
            throw new SessionException(Kind.BAD_INPUT, e.getMessage(), e);
        }
        boolean gpu = starter.gpuFor(req.gpu());
        NetworkPolicy network = req.network() == null ? config.network() : req.network();
        starter.checkRunnable(canWait);

        String environment = blankToNull(req.environment());
        var key = warm.keyOf(mode, source, baseBranch, environment, network, gpu);
        Optional<WarmPool.Slot> slot = key.flatMap(k -> warm.claim(k, source));
        if (key.isEmpty()) warm.started();
        // A warm container's session is made now (its age from now), under the id and conversation the container was started with.
        Session s = slot.map(w -> fresh(config, w.session().id(), w.session().claudeSessionId(), mode, gpu, network, source, baseBranch))
                .orElseGet(() -> fresh(config, UUID.randomUUID().toString(), UUID.randomUUID().toString(), mode, gpu, network, source, baseBranch));
        return new Plan(s, channel, prompt, source, baseBranch, environment, slot.orElse(null));
    }

    /** A new session, not stored yet, as a request (or the warm pool, for the requests to come) has it. */
    static Session fresh(Config config, String id, String conversation, SessionMode mode, boolean gpu, NetworkPolicy network, Source source,
                         String baseBranch) {
        Path sourcePath = source instanceof Source.Local l ? l.path() : config.mirrorsDir();
        return Session.builder(id, config.sessionsDir().resolve(id)).mode(mode).gpu(gpu).network(network)
                .repo(source.display(), sourcePath).base(baseBranch, null)
                .conversation(conversation).build();
    }

    /** Clones the workspace while the container starts, then hands the agent its first prompt; releases {@code held}. */
    private Session build(Plan p, StartGuard.Held held, Consumer<String> progress, boolean rollBackAll) {
        Session s = p.session;
        String id = s.id();
        CompletableFuture<String> container = null;
        boolean cloned = false;
        long t0 = System.nanoTime();
        try (held) {
            Files.createDirectories(s.workspace());
            // The container starts while the clone is made; its agent waits for the run dir's
            // "ready" file, so Claude Code never sees a half-cloned workspace. A warm container
            // has its dirs already, and waits for its claim.
            if (p.warm == null) starter.prepare(s, false);
            else starter.prepareClaimed(s);
            p.channel.prepareStart(s, p.prompt);
            starter.awaitImage(progress);
            trace(s, "dirs prepared, image there", t0);
            // The environment, from the commit the session starts from: built (through the session's
            // guarded build) or found before its container can start.
            starter.prepareEnvironment(s, workspaces.files(p.source, p.baseBranch, progress), p.environment, progress,
                    line -> recorder.append(id, EventParser.notice("info", line), -1));
            trace(s, "environment read", t0);
            if (p.warm != null && p.warm.environment().equals(SessionImage.load(s.dir())) && !starter.setUpSince(s) && ContainerStarter.claim(s)) {
                progress.accept("claimed a warm container");
                container = CompletableFuture.completedFuture(p.warm.container());
            } else {
                if (p.warm != null) {
                    // Made from another environment than this commit's, or gone: the session starts cold.
                    try {
                        engine.remove(p.warm.container());
                    } catch (RuntimeException e) {
                        throw new SessionException(Kind.UNAVAILABLE, "could not remove a warm container that does not fit this session: " + e.getMessage(), e);
                    }
                    // All it could write while it waited goes with it (it is gone: nothing changes these trees meanwhile):
                    // the workspace, the Claude dir (a hook of an older commit's environment), the run dir. Then all anew.
                    for (Path written : List.of(s.workspace(), s.claudeConfig(), s.runDir())) Workspaces.deleteQuietly(written);
                    Files.createDirectories(s.workspace());
                    starter.prepare(s, false);
                    starter.trustWorkdir(s);
                }
                progress.accept("starting container");
                container = starter.startBeside(s, progress);
            }
            GitIdentity who = workspaces.identity(config.gitName(), config.gitEmail(), p.source);
            Workspace ws = workspaces.create(p.source, p.baseBranch, s.workspace(), s.branch(), who.name(), who.email(), progress);
            cloned = true;
            trace(s, "cloned", t0);
            if (who.origin().contains(GitIdentity.FALLBACK)) {
                recorder.append(id, EventParser.notice("info", "commits in this session are by " + who
                        + "; set BURROW_GIT_NAME and BURROW_GIT_EMAIL, or user.name and user.email in git, for your own"), -1);
            }
            store.updateSource(id, ws.source(), ws.baseCommit());
            List<String> included = ws.included();
            if (!included.isEmpty()) {
                recorder.append(id, EventParser.notice("info", "copied from your checkout (.burrow/include): " + String.join(", ", included)), -1);
            }
            // Ready once the container is up (and its network guarded): its agent then starts.
            String containerId = ContainerStarter.join(container);
            trace(s, "container up", t0);
            AgentLaunch.markReady(s);
            store.setContainer(id, containerId);
            Session started = recorder.current(id);
            supervisor.follow(started, true);
            return supervisor.whileLive(started, (current, live) -> live.channel.begin(current, live, p.prompt));
        } catch (RuntimeException | IOException e) {
            SessionException failure = failure(e);
            if (rollBackAll) {
                rollBack(s, container);
            } else {
                removeContainer(s, container);
                // A half-made workspace is no workspace: a resume then says so instead of starting on it.
                if (!cloned) Workspaces.deleteQuietly(s.workspace());
                String reason = "could not start: " + failure.getMessage();
                recorder.append(id, EventParser.notice("error", reason), -1);
                recorder.setState(id, SessionState.FAILED, reason);
            }
            throw failure;
        }
    }

    /** Where a start's time goes (BURROW_LOG_LEVEL=debug). */
    private static void trace(Session s, String step, long t0) {
        LOG.debug("session {}: start: {} at {} ms", s.shortId(), step, (System.nanoTime() - t0) / 1_000_000);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SessionCreator.class);

    private static SessionException failure(Exception e) {
        if (e instanceof SessionException se) return se;
        if (e instanceof WorkspaceException we) return new SessionException(Kind.BAD_INPUT, we.getMessage(), we);
        if (e instanceof dev.burrow.environment.EnvironmentException ee) return new SessionException(Kind.BAD_INPUT, ee.getMessage(), ee);
        if (e instanceof ContainerException ce) return new SessionException(Kind.UNAVAILABLE, ce.getMessage(), ce);
        return new SessionException(Kind.UNAVAILABLE, e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }

    /** Progress for a session's reason: steps at once, the clone's running percentages at most twice a second. */
    private static final class ProgressNote implements Consumer<String> {
        private final Consumer<String> note;
        private long last;

        ProgressNote(Consumer<String> note) {
            this.note = note;
        }

        @Override
        public synchronized void accept(String line) {
            long now = System.nanoTime();
            boolean step = !line.matches(".*\\d+%.*");
            if (!step && now - last < 500_000_000L) return;
            last = now;
            try {
                note.accept(line.length() > 200 ? line.substring(0, 200) : line);
            } catch (RuntimeException ignored) {
                // progress is not worth failing a start
            }
        }
    }

    /** Leaves nothing half-made: no container, no workspace, no session row. */
    private void rollBack(Session s, CompletableFuture<String> container) {
        removeContainer(s, container);
        store.delete(s.id());
        Workspaces.deleteQuietly(s.dir());
    }

    private void removeContainer(Session s, CompletableFuture<String> container) {
        supervisor.release(s.id());
        if (container != null) {
            try {
                supervisor.removeQuietly(ContainerStarter.join(container));
            } catch (RuntimeException ignored) {
                // it never started (a failed run removes what it made)
            }
        }
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
