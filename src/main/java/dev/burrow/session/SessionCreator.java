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
import java.io.UncheckedIOException;
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

    Session create(NewSession req, Consumer<String> progress) {
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
        starter.checkRunnable();

        String id = UUID.randomUUID().toString();
        Path sourcePath = source instanceof Source.Local l ? l.path() : config.mirrorsDir();
        Session s = Session.builder(id, config.sessionsDir().resolve(id)).mode(mode).gpu(gpu).network(network)
                .repo(source.display(), sourcePath).base(baseBranch, null)
                .conversation(UUID.randomUUID().toString()).build();
        CompletableFuture<String> container = null;
        try (StartGuard.Held held = starts.hold(s)) {
            Files.createDirectories(s.workspace());
            store.insert(s);
            // The container starts while the clone is made; its agent waits for the run dir's
            // "ready" file, so Claude Code never sees a half-cloned workspace.
            starter.prepare(s, false);
            channel.prepareStart(s, prompt);
            progress.accept("starting container");
            container = starter.startBeside(s);
            GitIdentity who = workspaces.identity(config.gitName(), config.gitEmail(), source);
            Workspace ws = workspaces.create(source, baseBranch, s.workspace(), s.branch(), who.name(), who.email(), progress);
            if (who.origin().contains(GitIdentity.FALLBACK)) {
                recorder.append(id, EventParser.notice("info", "commits in this session are by " + who
                        + "; set BURROW_GIT_NAME and BURROW_GIT_EMAIL, or user.name and user.email in git, for your own"), -1);
            }
            store.updateSource(id, ws.source(), ws.baseCommit());
            List<String> included = workspaces.copyIncluded(source, s.workspace());
            if (!included.isEmpty()) {
                recorder.append(id, EventParser.notice("info", "copied from your checkout (.burrow/include): " + String.join(", ", included)), -1);
            }
            // Ready once the container is up (and its network guarded): its agent then starts.
            String containerId = ContainerStarter.join(container);
            AgentLaunch.markReady(s);
            store.setContainer(id, containerId);
            Session started = recorder.current(id);
            supervisor.follow(started, true);
            return supervisor.whileLive(started, (current, live) -> live.channel.begin(current, live, prompt));
        } catch (RuntimeException | IOException e) {
            rollBack(s, container);
            if (e instanceof SessionException se) throw se;
            if (e instanceof WorkspaceException we) throw new SessionException(Kind.BAD_INPUT, we.getMessage(), we);
            if (e instanceof ContainerException ce) throw new SessionException(Kind.UNAVAILABLE, ce.getMessage(), ce);
            if (e instanceof IOException io) throw new UncheckedIOException(io);
            throw (RuntimeException) e;
        }
    }

    /** Leaves nothing half-made: no container, no workspace, no session row. */
    private void rollBack(Session s, CompletableFuture<String> container) {
        supervisor.release(s.id());
        if (container != null) {
            try {
                supervisor.removeQuietly(ContainerStarter.join(container));
            } catch (RuntimeException ignored) {
                // it never started
            }
        }
        store.delete(s.id());
        Workspaces.deleteQuietly(s.dir());
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
