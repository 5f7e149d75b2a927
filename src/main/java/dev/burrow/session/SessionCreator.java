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

    SessionCreator(Config config, ContainerEngine engine, Workspaces workspaces, SessionStore store, SessionRecorder recorder,
                   ContainerStarter starter, SessionSupervisor supervisor, StartGuard starts) {
        this.config = Objects.requireNonNull(config);
        this.engine = Objects.requireNonNull(engine);
        this.workspaces = Objects.requireNonNull(workspaces);
        this.store = Objects.requireNonNull(store);
        this.recorder = Objects.requireNonNull(recorder);
        this.starter = Objects.requireNonNull(starter);
        this.supervisor = Objects.requireNonNull(supervisor);
        this.starts = Objects.requireNonNull(starts);
    }

    /** What a request asks for, checked, with the session it will be. */
    private record Plan(Session session, AgentChannel channel, String prompt, Source source, String baseBranch, String environment) {
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
        StartGuard.Held held = starts.hold(p.session);
        try {
            store.insert(p.session);
            return held;
        } catch (RuntimeException e) {
            held.close();
            throw e;
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

        String id = UUID.randomUUID().toString();
        Path sourcePath = source instanceof Source.Local l ? l.path() : config.mirrorsDir();
        Session s = Session.builder(id, config.sessionsDir().resolve(id)).mode(mode).gpu(gpu).network(network)
                .repo(source.display(), sourcePath).base(baseBranch, null)
                .conversation(UUID.randomUUID().toString()).build();
        return new Plan(s, channel, prompt, source, baseBranch, blankToNull(req.environment()));
    }

    /** Clones the workspace while the container starts, then hands the agent its first prompt; releases {@code held}. */
    private Session build(Plan p, StartGuard.Held held, Consumer<String> progress, boolean rollBackAll) {
        Session s = p.session;
        String id = s.id();
        CompletableFuture<String> container = null;
        boolean cloned = false;
        try (held) {
            Files.createDirectories(s.workspace());
            // The container starts while the clone is made; its agent waits for the run dir's
            // "ready" file, so Claude Code never sees a half-cloned workspace.
            starter.prepare(s, false);
            p.channel.prepareStart(s, p.prompt);
            starter.awaitImage(progress);
            // The environment, from the commit the session starts from: built (through the session's
            // guarded build) or found before its container can start.
            starter.prepareEnvironment(s, workspaces.files(p.source, p.baseBranch, progress), p.environment, progress,
                    line -> recorder.append(id, EventParser.notice("info", line), -1));
            progress.accept("starting container");
            container = starter.startBeside(s, progress);
            GitIdentity who = workspaces.identity(config.gitName(), config.gitEmail(), p.source);
            Workspace ws = workspaces.create(p.source, p.baseBranch, s.workspace(), s.branch(), who.name(), who.email(), progress);
            cloned = true;
            if (who.origin().contains(GitIdentity.FALLBACK)) {
                recorder.append(id, EventParser.notice("info", "commits in this session are by " + who
                        + "; set BURROW_GIT_NAME and BURROW_GIT_EMAIL, or user.name and user.email in git, for your own"), -1);
            }
            store.updateSource(id, ws.source(), ws.baseCommit());
            List<String> included = workspaces.copyIncluded(p.source, s.workspace());
            if (!included.isEmpty()) {
                recorder.append(id, EventParser.notice("info", "copied from your checkout (.burrow/include): " + String.join(", ", included)), -1);
            }
            // Ready once the container is up (and its network guarded): its agent then starts.
            String containerId = ContainerStarter.join(container);
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
