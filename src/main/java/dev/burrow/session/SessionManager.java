package dev.burrow.session;

import dev.burrow.agent.AgentEvent;
import dev.burrow.agent.EventParser;
import dev.burrow.config.Config;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerException;
import dev.burrow.container.ContainerState;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.credentials.ModelCredentials;
import dev.burrow.host.GpuSupport;
import dev.burrow.host.PodmanService;
import dev.burrow.session.SessionException.Kind;
import dev.burrow.store.SessionStore;
import dev.burrow.store.StoredEvent;
import dev.burrow.workspace.Source;
import dev.burrow.workspace.Workspace;
import dev.burrow.workspace.WorkspaceException;
import dev.burrow.workspace.Workspaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: creates sessions, passes the user's messages to their agents, turns what the
 * agents print into stored events, and brings the work out of the workspace after each turn.
 * Every event is stored before any listener sees it.
 */
public final class SessionManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);
    public static final int MAX_MESSAGE_BYTES = 1024 * 1024;
    // Terminal mode starts Claude Code with its first prompt as an argument; Linux caps one at 128 KiB.
    static final int MAX_FIRST_PROMPT_BYTES = 100 * 1024;

    /** Sees every stored event and every state change of every session this process follows. */
    public interface Listener {
        void onEvent(StoredEvent event);

        default void onState(Session session) {
        }
    }

    private final Config config;
    private final ContainerEngine engine;
    private final Workspaces workspaces;
    private final SessionStore store;
    private final Map<String, LiveSession> live = new ConcurrentHashMap<>();
    private final SessionLog log;
    private final ContainerStarter starter;
    private final SessionDoors doors;
    private final SessionCredentials credentials;
    private final Publisher publisher;
    private final ContainerMonitor monitor;
    private final java.util.Set<String> creating = ConcurrentHashMap.newKeySet();

    public SessionManager(Config config, ContainerEngine engine, Workspaces workspaces, SessionStore store, String runnerImage, GpuSupport gpus,
                          PodmanService podman) {
        this.credentials = new SessionCredentials(config.credentials());
        Objects.requireNonNull(podman);
        this.config = Objects.requireNonNull(config);
        this.engine = Objects.requireNonNull(engine);
        this.workspaces = Objects.requireNonNull(workspaces);
        this.store = Objects.requireNonNull(store);
        this.log = new SessionLog(store);
        this.doors = new SessionDoors(config, podman, credentials);
        this.starter = new ContainerStarter(config, engine, runnerImage, gpus, doors, credentials);
        this.monitor = new ContainerMonitor(engine, this::containerGone);
        this.publisher = new Publisher(this, store, workspaces, engine, log);
    }

    public String runnerImage() {
        return starter.image();
    }

    /** Builds the runner image when it is missing (showing progress), and remembers that it exists. */
    public void ensureRunnerImage(Consumer<String> progress) {
        starter.ensureImage(progress);
    }

    public Runnable subscribe(Listener l) {
        return log.subscribe(l);
    }

    public List<Session> list() {
        return store.list();
    }

    public Session get(String id) {
        return store.find(id).filter(s -> s.state() != SessionState.DELETED)
                .orElseThrow(() -> new SessionException(Kind.NOT_FOUND, "no session " + id + "; ./burrow sessions lists them"));
    }

    public List<StoredEvent> events(String id, long afterSeq) {
        return store.events(get(id).id(), afterSeq);
    }

    public long lastSeq(String id) {
        return store.lastSeq(get(id).id());
    }

    public List<SessionStore.TurnUsage> turns(String id) {
        return store.turns(get(id).id());
    }

    public List<String> recentRepos() {
        return store.recentRepos(20);
    }

    // ---- creating ----

    public Session create(NewSession req, Consumer<String> progress) {
        SessionMode mode = req.mode() == null ? SessionMode.CHAT : req.mode();
        String prompt = req.prompt() == null ? "" : req.prompt().strip();
        // In the terminal the user can type the first prompt on Claude's screen; in chat there is no other way.
        if (prompt.isEmpty() && mode == SessionMode.CHAT) throw new SessionException(Kind.BAD_INPUT, "the prompt is empty; say what the session should do");
        checkMessageSize(prompt);
        if (mode == SessionMode.TERMINAL && prompt.getBytes(StandardCharsets.UTF_8).length > MAX_FIRST_PROMPT_BYTES) {
            throw new SessionException(Kind.TOO_LARGE, "in terminal mode the first prompt is at most 100 KiB; start with a shorter one and paste the rest");
        }
        Source source;
        try {
            source = Source.parse(req.repo());
            workspaces.validate(source, blankToNull(req.baseBranch()));
        } catch (WorkspaceException e) {
            throw new SessionException(Kind.BAD_INPUT, e.getMessage());
        }
        boolean gpu = starter.gpuFor(req.gpu());
        NetworkPolicy network = req.network() == null ? config.network() : req.network();
        long t0 = System.nanoTime();
        starter.checkRunnable();
        LOG.debug("create: checks took {} ms", (System.nanoTime() - t0) / 1_000_000);

        String id = UUID.randomUUID().toString();
        String shortId = id.substring(0, 8);
        Path dir = config.sessionsDir().resolve(id);
        Instant now = Instant.now();
        Path sourcePath = source instanceof Source.Local l ? l.path() : config.mirrorsDir();
        Session s = new Session(id, shortId, SessionState.CREATING, null, mode, gpu, network, source.display(), sourcePath,
                blankToNull(req.baseBranch()), null, "burrow/" + shortId, dir, null, null, 0, 0, now, now);
        CompletableFuture<String> container = null;
        creating.add(id);
        try {
            Files.createDirectories(s.workspace());
            store.insert(s);
            // The container starts while the clone is made; its agent waits for the run dir's
            // "ready" file, so Claude Code never sees a half-cloned workspace.
            starter.prepare(s, false);
            if (mode == SessionMode.TERMINAL && !prompt.isEmpty()) AgentLaunch.writeFirstPrompt(s, prompt);
            progress.accept("starting container");
            container = starter.startBeside(s);
            Workspace ws = workspaces.create(source, s.baseBranch(), s.workspace(), s.branch(),
                    identity("user.name", config.gitName()), identity("user.email", config.gitEmail()), progress);
            s = new Session(id, shortId, SessionState.CREATING, null, mode, gpu, network, source.display(), ws.source(), s.baseBranch(),
                    ws.baseCommit(), s.branch(), dir, null, null, 0, 0, now, now);
            store.updateSource(s);
            List<String> included = workspaces.copyIncluded(source, s.workspace());
            if (!included.isEmpty()) {
                log.append(id, EventParser.notice("info", "copied from your checkout (.burrow/include): " + String.join(", ", included)), -1);
            }
            AgentLaunch.markReady(s);
            LOG.debug("create: workspace ready at {} ms", (System.nanoTime() - t0) / 1_000_000);
            s = s.withContainer(ContainerStarter.join(container));
            LOG.debug("create: container started at {} ms", (System.nanoTime() - t0) / 1_000_000);
            store.update(s);
            follow(s, true);
            // Terminal mode: the hooks report the prompt and the turn; until then the state says what was asked for.
            if (mode == SessionMode.TERMINAL) {
                Session current = get(id);
                if (!current.state().live()) return current; // its setup failed at once
                return log.setState(id, prompt.isEmpty() ? SessionState.IDLE : SessionState.RUNNING, null);
            }
            return send(s, prompt);
        } catch (RuntimeException | IOException e) {
            // Leave nothing half-made: no container, no workspace, no session row.
            LiveSession l = live.remove(id);
            if (l != null) l.close();
            if (container != null) {
                try {
                    removeQuietly(ContainerStarter.join(container));
                } catch (RuntimeException ignored) {
                    // it never started
                }
            }
            store.delete(id);
            Workspaces.deleteQuietly(dir);
            if (e instanceof SessionException se) throw se;
            if (e instanceof WorkspaceException we) throw new SessionException(Kind.BAD_INPUT, we.getMessage());
            if (e instanceof ContainerException ce) throw new SessionException(Kind.UNAVAILABLE, ce.getMessage());
            if (e instanceof IOException io) throw new UncheckedIOException(io);
            throw (RuntimeException) e;
        } finally {
            creating.remove(id);
        }
    }

    private String identity(String key, String configured) {
        return configured.isBlank() ? workspaces.hostIdentity(key) : configured;
    }

    /** The resource limits session containers get (from the configuration). */
    public dev.burrow.container.Limits limits() {
        return config.limits();
    }

    /** What the host offers sessions for GPU work. */
    public GpuSupport gpus() {
        return starter.gpus();
    }

    /** A new session's network policy unless it asks for another. */
    public NetworkPolicy defaultNetwork() {
        return config.network();
    }

    /** What sessions under the allowlist policy may reach. */
    public dev.burrow.container.Allowlist allowedHosts() {
        return config.allowedHosts();
    }

    // ---- talking to the agent ----

    public Session send(String id, String text) {
        Session s = get(id);
        String msg = text == null ? "" : text.strip();
        if (msg.isEmpty()) throw new SessionException(Kind.BAD_INPUT, "the message is empty");
        checkMessageSize(msg);
        return switch (s.state()) {
            case RUNNING, IDLE -> send(s, msg);
            case STOPPED, FAILED -> resume(s.id(), msg, p -> { });
            case CREATING -> throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " is still starting; try again in a moment");
            case DELETED -> throw new SessionException(Kind.NOT_FOUND, "no session " + id);
        };
    }

    private Session send(Session s, String text) {
        LiveSession l = followOrFail(s);
        synchronized (l) {
            // The container may have ended meanwhile (a repository setup that failed at once): its reason stands.
            Session now = store.find(s.id()).orElseThrow();
            if (l.stopping || !now.state().live()) return now;
            if (s.mode() == SessionMode.TERMINAL) {
                // Typed into Claude's screen; its UserPromptSubmit hook records the prompt.
                TuiInput.type(engine, s, text);
                return log.setState(s.id(), SessionState.RUNNING, null);
            }
            log.append(s.id(), EventParser.prompt(text), -1);
            try {
                l.link.write(EventParser.userMessageLine(text));
            } catch (IOException e) {
                throw new SessionException(Kind.UNAVAILABLE, "could not reach the agent of session " + s.shortId() + ": " + e.getMessage());
            }
            l.pendingTurns++;
            return log.setState(s.id(), SessionState.RUNNING, null);
        }
    }

    public void interrupt(String id) {
        Session s = get(id);
        if (s.state() != SessionState.RUNNING) {
            throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " is " + s.state().label() + ", not running a turn");
        }
        LiveSession l = followOrFail(s);
        if (s.mode() == SessionMode.TERMINAL) {
            // An interrupted turn runs no Stop hook: Burrow records the wait itself.
            TuiInput.interrupt(engine, s);
            log.setState(s.id(), SessionState.IDLE, null);
            return;
        }
        try {
            l.link.write(EventParser.interruptLine("interrupt-" + UUID.randomUUID()));
        } catch (IOException e) {
            throw new SessionException(Kind.UNAVAILABLE, "could not reach the agent: " + e.getMessage());
        }
    }

    /**
     * Follows a live session from this process until it closes, as a CLI attached to it must:
     * its events are stored and its doors (Podman socket, egress proxy, login upkeep) are open.
     * Nothing happens when another process (the server) already follows it.
     */
    public void followLive(String id) {
        Session s = get(id);
        if (s.state().live() && s.containerId() != null) follow(s, false);
    }

    private LiveSession followOrFail(Session s) {
        LiveSession l = live.get(s.id());
        if (l != null) return l;
        follow(s, false);
        l = live.get(s.id());
        if (l == null) {
            throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " is followed by another Burrow process (the server?); use that one");
        }
        return l;
    }

    private static void checkMessageSize(String text) {
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
            throw new SessionException(Kind.TOO_LARGE, "the message is over 1 MiB; put large content in a file in the repository instead");
        }
    }

    /**
     * Starts following the agent's output, from where this session's log left off. For an
     * agent this process did not start, the turns still open come from the log; a fresh
     * agent has none (the turns of a dead one ended with it).
     */
    private void follow(Session s, boolean freshAgent) {
        if (live.containsKey(s.id())) return;
        try {
            Optional<LiveSession> l = LiveSession.tryFollow(s.id(), s.runDir(), store.find(s.id()).orElseThrow().outOffset(), new Handler(s.id()));
            if (l.isEmpty()) return;
            int pending = freshAgent ? 0 : pendingTurns(s.id());
            l.get().pendingTurns = pending;
            live.put(s.id(), l.get());
            doors.open(s, l.get());
            // A process that stored a turn's end and exited before recording the state it led to
            // (a CLI detaching): the log, not the stored state, says whether a turn is open.
            if (!freshAgent && pending == 0 && store.find(s.id()).orElseThrow().state() == SessionState.RUNNING) {
                log.setState(s.id(), SessionState.IDLE, null);
            }
            l.get().link.start(s.shortId());
            if (s.containerId() != null) monitor.watch(s.id(), s.containerId());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Turns asked for and not yet ended, from the log: in chat every prompt opens one and every
     * result closes one; in the terminal the last hook says (a prompt opens, Stop closes).
     */
    private int pendingTurns(String id) {
        int pending = 0;
        for (StoredEvent e : store.events(id, 0)) {
            switch (e.event()) {
                case AgentEvent.UserPrompt p -> pending++;
                case AgentEvent.TurnResult r -> pending = Math.max(0, pending - 1);
                case AgentEvent.TerminalHook h -> pending = h.hook().equals(AgentEvent.TerminalHook.PROMPT) ? 1 : 0;
                default -> { }
            }
        }
        return pending;
    }

    private final class Handler implements AgentLink.Handler {
        private final String id;

        Handler(String id) {
            this.id = id;
        }

        @Override
        public void onLine(String line, long endOffset) {
            AgentEvent event = EventParser.parse(line);
            log.append(id, event, endOffset);
            if (event instanceof AgentEvent.TurnResult) turnEnded(id);
            if (event instanceof AgentEvent.TerminalHook hook) hookReported(id, hook);
        }

        @Override
        public void onExit(int exitCode, boolean idleTimeout) {
            agentExited(id, exitCode, idleTimeout);
        }
    }

    private void turnEnded(String id) {
        Session s = store.find(id).orElseThrow();
        syncQuietly(s);
        LiveSession l = live.get(id);
        if (l == null) return;
        synchronized (l) {
            if (l.pendingTurns > 0) l.pendingTurns--;
            if (!l.stopping && s.state() == SessionState.RUNNING && l.pendingTurns == 0) log.setState(id, SessionState.IDLE, null);
        }
    }

    /** Terminal mode: the hooks say when Claude works and when it waits for the user. */
    private void hookReported(String id, AgentEvent.TerminalHook hook) {
        LiveSession l = live.get(id);
        if (l == null) return;
        switch (hook.hook()) {
            case AgentEvent.TerminalHook.PROMPT -> {
                synchronized (l) {
                    if (!l.stopping && store.find(id).orElseThrow().state().live()) log.setState(id, SessionState.RUNNING, null);
                }
            }
            case AgentEvent.TerminalHook.STOP, AgentEvent.TerminalHook.NOTIFICATION -> turnEnded(id);
            default -> { }
        }
    }

    // ---- the agent or its container ended ----

    private void agentExited(String id, int exitCode, boolean idleTimeout) {
        LiveSession l = live.get(id);
        if (l == null || l.stopping) return;
        Session s = store.find(id).orElseThrow();
        if (idleTimeout) {
            end(s, SessionState.STOPPED, "stopped after " + humanDuration(config.idleTimeout()) + " without a turn; resume to continue");
        } else if (Files.exists(s.runDir().resolve(AgentLaunch.SETUP_FAILED))) {
            end(s, SessionState.FAILED, "the repository's .burrow/setup.sh failed with exit code " + exitCode
                    + " (its output is in the transcript); fix it and resume");
        } else if (s.mode() == SessionMode.TERMINAL && exitCode == 0) {
            end(s, SessionState.STOPPED, "Claude Code was closed in the terminal; resume to continue");
        } else {
            end(s, SessionState.FAILED, "Claude Code exited with code " + exitCode + lastLines(s));
        }
    }

    private void containerGone(String id, Optional<ContainerState> state) {
        LiveSession l = live.get(id);
        if (l == null || l.stopping) return;
        try {
            l.link.awaitEnd(300); // let it read what the agent printed last
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Session s = store.find(id).orElseThrow();
        if (!s.state().live()) return;
        String code = state.map(c -> "exit code " + c.exitCode()).orElse("removed");
        if (l.pendingTurns > 0 || s.state() == SessionState.RUNNING) {
            end(s, SessionState.FAILED, "the container died during a turn (" + code + ")" + lastLines(s));
        } else {
            end(s, SessionState.STOPPED, "the container went away (" + code + "); resume to continue");
        }
    }

    private String lastLines(Session s) {
        try {
            Path err = s.runDir().resolve("err.log");
            if (!Files.exists(err)) return "";
            List<String> lines = Files.readAllLines(err).stream().filter(x -> !x.isBlank()).toList();
            List<String> tail = lines.subList(Math.max(0, lines.size() - 5), lines.size());
            return tail.isEmpty() ? "" : ": " + String.join(" | ", tail);
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops following, removes the container, saves the work and records the final state. */
    private void end(Session s, SessionState state, String reason) {
        LiveSession l = live.remove(s.id());
        if (l != null) {
            synchronized (l) {
                l.stopping = true;
            }
            l.close();
        }
        monitor.unwatch(s.id());
        if (s.containerId() != null) removeQuietly(s.containerId());
        syncQuietly(s);
        if (reason != null) log.append(s.id(), EventParser.notice(state == SessionState.FAILED ? "error" : "info", reason), -1);
        log.setState(s.id(), state, reason);
    }

    // ---- user actions ----

    public Session stop(String id) {
        Session s = get(id);
        if (!s.state().live()) throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " is already " + s.state().label());
        end(s, SessionState.STOPPED, "stopped by the user; resume to continue");
        return get(id);
    }

    public Session resume(String idOrShortId, String prompt, Consumer<String> progress) {
        Session s = get(idOrShortId);
        String id = s.id();
        if (s.state().live()) {
            if (prompt == null || prompt.isBlank()) return s;
            return send(s.id(), prompt);
        }
        if (!s.state().canMoveTo(SessionState.CREATING)) throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " cannot be resumed");
        if (!Files.isDirectory(s.workspace())) throw new SessionException(Kind.CONFLICT, "the workspace of session " + s.shortId() + " is gone; start a new session");
        starter.checkRunnable();
        log.setState(id, SessionState.CREATING, null);
        progress.accept("starting a fresh container");
        String containerId;
        try {
            containerId = starter.start(s, s.claudeSessionId(), prompt == null || prompt.isBlank() ? null : prompt.strip());
        } catch (RuntimeException e) {
            log.setState(id, SessionState.FAILED, "could not start the container: " + e.getMessage());
            throw new SessionException(Kind.UNAVAILABLE, e.getMessage());
        }
        Session started = store.find(id).orElseThrow().withContainer(containerId).withState(SessionState.IDLE, null);
        store.update(started);
        log.append(id, EventParser.notice("info", "resumed in a fresh container" + (s.mode() == SessionMode.TERMINAL ? ", in the terminal" : "")), -1);
        follow(started, true);
        log.announce(started);
        if (prompt == null || prompt.isBlank()) return started;
        if (s.mode() == SessionMode.TERMINAL) return log.setState(id, SessionState.RUNNING, null); // the prompt went in with the start
        return send(started, prompt.strip());
    }

    /**
     * Continues a session in the other mode: the running Claude Code ends (its container is
     * removed, the work saved) and a fresh one resumes the same conversation with --resume.
     */
    public Session switchMode(String idOrShortId, SessionMode mode, Consumer<String> progress) {
        Objects.requireNonNull(mode);
        Session s = get(idOrShortId);
        String id = s.id();
        if (s.state().live() && s.containerId() != null) {
            // What the agent reported while no Burrow process followed it (a terminal session
            // started from the CLI) decides whether a turn is running: read it first.
            try {
                followOrFail(s).link.catchUp(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            s = get(id);
        }
        if (s.state() == SessionState.RUNNING) {
            throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " is in the middle of a turn; wait for it or interrupt it, then switch");
        }
        if (s.state() == SessionState.CREATING) throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " is still starting; try again in a moment");
        if (s.mode() == mode && s.state().live()) return s;
        if (s.state().live()) end(s, SessionState.STOPPED, null);
        Session switched = get(id).withMode(mode);
        store.update(switched);
        progress.accept(mode == SessionMode.TERMINAL ? "continuing in the terminal" : "continuing in chat");
        return resume(id, null, progress);
    }

    public void delete(String id) {
        Session s = get(id);
        if (s.state().live()) end(s, SessionState.STOPPED, null);
        else syncQuietly(s);
        // The containers the session ran through the host's Podman go with it.
        try {
            for (String sibling : engine.siblings(s.id())) engine.removeSibling(sibling, s.id());
        } catch (RuntimeException e) {
            LOG.warn("could not remove the containers session {} started: {}", s.shortId(), e.getMessage());
        }
        doors.remove(s);
        log.setState(s.id(), SessionState.DELETED, null);
        Workspaces.deleteQuietly(s.dir());
    }

    public String diff(String id) {
        Session s = get(id);
        if (!Files.isDirectory(s.workspace())) throw new SessionException(Kind.CONFLICT, "the workspace of session " + s.shortId() + " is gone");
        return workspaces.diff(new Workspace(s.workspace(), s.branch(), s.baseCommit(), s.source()));
    }

    /**
     * Brings the store in line with the containers, at start: sessions whose container is gone
     * become stopped (after storing whatever their agent printed meanwhile) and can be resumed;
     * with {@code follow}, sessions whose container runs are followed again from their offset.
     */
    public void reconcile(boolean follow) {
        List<ContainerState> running;
        try {
            running = engine.listOwned().stream().filter(ContainerState::running).toList();
        } catch (ContainerException e) {
            LOG.warn("cannot list containers: {}", e.getMessage());
            return;
        }
        for (Session s : store.list()) {
            if (!s.state().live() || live.containsKey(s.id()) || creating.contains(s.id())) continue;
            boolean up = s.containerId() != null && running.stream().anyMatch(c -> c.id().equals(s.containerId()));
            if (up) {
                if (follow) follow(s, false);
                continue;
            }
            if (s.containerId() == null) {
                log.setState(s.id(), SessionState.FAILED, "interrupted while it was being created");
                continue;
            }
            drain(s);
            end(store.find(s.id()).orElseThrow(), SessionState.STOPPED, "the container is gone; resume to continue");
        }
    }

    /** Stores the lines the agent printed while no Burrow process was following it. */
    private void drain(Session s) {
        try {
            Optional<LiveSession> l = LiveSession.tryFollow(s.id(), s.runDir(), s.outOffset(), new AgentLink.Handler() {
                public void onLine(String line, long end) {
                    log.append(s.id(), EventParser.parse(line), end);
                }

                public void onExit(int code, boolean idle) {
                }
            });
            if (l.isEmpty()) return;
            // The agent is gone: mark its end, if it could not, so the reader stops at the last line.
            Path exit = s.runDir().resolve("agent.exit");
            if (!Files.exists(exit)) Files.writeString(exit, "-1\n");
            l.get().link.start(s.shortId());
            l.get().link.awaitEnd(10_000);
            l.get().close();
        } catch (IOException e) {
            LOG.warn("cannot read the output of session {}: {}", s.shortId(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- plumbing ----

    /** Brings the session's work out of its workspace now (Push branch does, before it pushes). */
    void saveWork(Session s) {
        syncQuietly(s);
    }

    /** Push branch and Open PR. */
    public Publisher publisher() {
        return publisher;
    }

    private void syncQuietly(Session s) {
        if (!Files.isDirectory(s.workspace())) return;
        try {
            workspaces.sync(new Workspace(s.workspace(), s.branch(), s.baseCommit(), s.source()), s.shortId());
        } catch (RuntimeException e) {
            log.append(s.id(), EventParser.notice("warning", "could not save the branch to " + s.source() + ": " + e.getMessage()), -1);
        }
    }

    private void removeQuietly(String containerId) {
        try {
            engine.remove(containerId);
        } catch (RuntimeException e) {
            LOG.warn("could not remove container {}: {}", containerId, e.getMessage());
        }
    }

    static String humanDuration(java.time.Duration d) {
        if (d.toMinutes() == 0) return d.toSeconds() + " seconds";
        return d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** Stops following; the agents keep running in their containers for the next Burrow process. */
    @Override
    public void close() {
        monitor.close();
        live.values().forEach(LiveSession::close);
        live.clear();
        credentials.close();
    }

    /** The credential sessions use (for the doctor and the session pages); never the secret. */
    public ModelCredentials credentials() {
        return credentials.credentials();
    }
}
