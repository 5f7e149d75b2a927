package dev.burrow.session;

import dev.burrow.gateway.Placeholders;

import dev.burrow.agent.AgentEvent;
import dev.burrow.config.Config;
import dev.burrow.container.Allowlist;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.Limits;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.credentials.ModelCredentials;
import dev.burrow.host.GpuSupport;
import dev.burrow.host.PodmanService;
import dev.burrow.session.SessionException.Kind;
import dev.burrow.store.SessionStore;
import dev.burrow.store.StoredEvent;
import dev.burrow.workspace.Workspaces;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the web layer and the CLI do with sessions: the user's commands (create, send,
 * interrupt, stop, resume, switch mode, delete), and the reads, answered by {@link SessionQueries}.
 * The parts are wired here: {@link SessionCreator} makes sessions, {@link SessionSupervisor}
 * keeps the live ones, the {@link AgentChannel} of a session's mode talks to its agent.
 */
public final class SessionManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);
    private volatile DiskWatch disk;
    private final DiskReserve reserve;
    public static final int MAX_MESSAGE_BYTES = 1024 * 1024;

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
    private final SessionRecorder recorder;
    private final SessionQueries queries;
    private final SessionCredentials credentials;
    private final HostSideServices services;
    private final ContainerStarter starter;
    private final WorkSaver saver;
    private final StartGuard starts = new StartGuard();
    private final SessionSupervisor supervisor;
    private final SessionReconciler reconciler;
    private final SessionCreator creator;
    private final SessionResumer resumer;
    private final BranchPublisher publisher;
    private final EnvironmentState environments;
    private final WarmPool warm;

    public SessionManager(Config config, ContainerEngine engine, Workspaces workspaces, SessionStore store, String runnerImage, GpuSupport gpus,
                          PodmanService podman) {
        this.config = Objects.requireNonNull(config);
        this.engine = Objects.requireNonNull(engine);
        this.workspaces = Objects.requireNonNull(workspaces);
        this.store = Objects.requireNonNull(store);
        this.recorder = new SessionRecorder(store, config.transcriptQuota());
        this.queries = new SessionQueries(store, recorder);
        this.credentials = new SessionCredentials(config.credentials(), Placeholders.loadOrCreate(config.dataDir().resolve("gateway")));
        this.services = new HostSideServices(config, engine, Objects.requireNonNull(podman), credentials, gpus, store.usage(),
                s -> BranchPublisher.remoteOf(workspaces, s), this::runImage);
        this.starter = new ContainerStarter(config, engine, runnerImage, gpus, services, credentials);
        this.saver = new WorkSaver(engine, starter::runImage, config.limits(), workspaces, recorder);
        this.supervisor = new SessionSupervisor(config.idleTimeout(), engine, store, recorder, services, saver);
        this.reconciler = new SessionReconciler(engine, store, recorder, supervisor, starts, AgentLaunch.install(config), config.sessionsDir());
        this.warm = new WarmPool(config, starts, new WarmContainers(starter, workspaces, services, engine), java.time.Clock.systemUTC());
        this.creator = new SessionCreator(config, engine, workspaces, store, recorder, starter, supervisor, starts, warm);
        this.resumer = new SessionResumer(engine, store, recorder, starter, supervisor, starts);
        this.environments = new EnvironmentState(engine, services.snapshots(), java.time.Clock.systemUTC());
        this.disk = DiskWatch.of(config.dataDir(), config.minFree());
        this.reserve = new DiskReserve(config.dataDir());
        this.publisher = new BranchPublisher(queries, store, workspaces, recorder, saver,
                new dev.burrow.workspace.GitHubApi(config.gitHost(), dev.burrow.gateway.UpstreamTls.client(config.upstreamCa())));
    }

    // ---- reads ----

    public SessionQueries queries() {
        return queries;
    }

    public Runnable subscribe(Listener l) {
        return queries.subscribe(l);
    }

    public List<Session> list() {
        return queries.list();
    }

    public Session get(String id) {
        return queries.get(id);
    }

    public List<StoredEvent> events(String id, long afterSeq) {
        return queries.events(id, afterSeq);
    }

    /**
     * A page of the session's events, unread (their stored JSON, to pass on): up to
     * {@code maxCount}, fewer when they are large; call again after the last one.
     */
    public List<StoredEvent> eventPage(String id, long afterSeq, int maxCount) {
        return queries.eventPage(id, afterSeq, maxCount);
    }

    /** The end of the transcript before {@code beforeSeq} (Long.MAX_VALUE: the latest), unread, for a page to render one by one. */
    public List<StoredEvent> transcriptTail(String id, long beforeSeq) {
        return queries.transcriptTail(id, beforeSeq);
    }

    /** How the session's last turn ended, if one did. */
    public Optional<AgentEvent.TurnResult> lastTurnResult(String id) {
        return queries.lastTurnResult(id);
    }

    public long lastSeq(String id) {
        return queries.lastSeq(id);
    }

    public List<SessionStore.TurnUsage> turns(String id) {
        return queries.turns(id);
    }

    /** What the session's model gateway saw pass. */
    public dev.burrow.store.ModelUsageStore.Totals modelUsage(String id) {
        return queries.modelUsage(id);
    }

    /** Every session's gateway totals, by session id. */
    public java.util.Map<String, dev.burrow.store.ModelUsageStore.Totals> modelUsage() {
        return queries.modelUsage();
    }

    /** Each session's title: its first prompt's first line, shortened (sessions without one are absent). */
    public java.util.Map<String, String> titles() {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        store.firstOfTypeBySession("burrow_prompt").forEach((id, e) -> {
            if (e instanceof dev.burrow.agent.AgentEvent.UserPrompt p && !p.text().isBlank()) out.put(id, shorten(p.text()));
        });
        return out;
    }

    /** What the session's page says of its environment, or empty for Burrow's runner image. */
    public java.util.Optional<String> environment(String id) {
        return environments.describe(get(id));
    }

    /** Rebuild environment: the next session of the repository builds and sets its environment up anew; the line says so (and is stored). */
    public String rebuildEnvironment(String id) {
        Session s = get(id);
        String line = environments.rebuild(s);
        starter.trimEnvironments("", l -> { });
        recorder.append(s.id(), dev.burrow.agent.EventParser.notice("info", line), -1);
        return line;
    }

    /** The ports the session's environment forwards (devcontainer.json's forwardPorts), with their labels. */
    public List<dev.burrow.environment.Environment.Port> forwardedPorts(String id) {
        return SessionImage.load(get(id).dir()).map(i -> i.run().ports()).orElse(List.of());
    }

    /** The live preview tunnels of the sessions this process follows (the ports their programs listen on). */
    public dev.burrow.preview.PreviewTunnels previews() {
        return services.previews();
    }

    /** One session's title, or null when it has no prompt yet. */
    public String title(String id) {
        return store.firstOfType(id, "burrow_prompt").map(e -> e.read().event())
                .map(e -> e instanceof dev.burrow.agent.AgentEvent.UserPrompt p && !p.text().isBlank() ? shorten(p.text()) : null).orElse(null);
    }

    static String shorten(String prompt) {
        String line = prompt.strip().lines().findFirst().orElse("");
        return line.length() > 72 ? line.substring(0, 71) + "…" : line;
    }

    public List<String> recentRepos() {
        return queries.recentRepos();
    }

    public String runnerImage() {
        return starter.image();
    }

    /** Builds the runner image when it is missing (showing progress), and remembers that it exists. */
    public void ensureRunnerImage(Consumer<String> progress) {
        starter.ensureImage(progress);
    }

    /** While the runner image is being built, or after it could not be, the line that says how far it is or why. */
    public java.util.Optional<String> imageBuild() {
        return starter.imageBuild();
    }

    /** The resource limits session containers get (from the configuration). */
    public Limits limits() {
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
    public Allowlist allowedHosts() {
        return config.allowedHosts();
    }

    /** The credential sessions use (for the doctor and the session pages); never the secret. */
    public ModelCredentials credentials() {
        return credentials.credentials();
    }

    /** The session's work is being saved right now (after a turn, before a push). */
    public boolean saving(String id) {
        return saver.saving(id);
    }

    /** Push branch and Open PR. */
    public BranchPublisher publisher() {
        return publisher;
    }

    // ---- commands ----

    public Session create(NewSession req, Consumer<String> progress) {
        checkDisk();
        return creator.create(req, progress);
    }

    /**
     * Checks the request and answers at once with the session, creating; it is made in the
     * background, its reason saying how far it is ("waiting to start: 2 ahead"). Bad input is
     * refused here; a start that fails later leaves the session failed with the reason.
     */
    public Session submit(NewSession req) {
        checkDisk();
        return creator.submit(req);
    }

    public Session send(String id, String text) {
        Session s = get(id);
        String msg = text == null ? "" : text.strip();
        if (msg.isEmpty()) throw new SessionException(Kind.BAD_INPUT, "the message is empty");
        checkMessageSize(msg);
        return switch (s.state()) {
            // A message sent while the last turn's work is being saved waits for the save.
            case RUNNING, IDLE -> saver.serialized(s.id(), () -> supervisor.whileLive(s, (current, live) -> live.channel.send(current, live, msg)));
            case STOPPED, FAILED -> resume(s.id(), msg, p -> { });
            case CREATING -> throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " is still starting; try again in a moment");
            case DELETED -> throw new SessionException(Kind.NOT_FOUND, "no session " + id);
        };
    }

    public void interrupt(String id) {
        Session s = get(id);
        if (s.state() != SessionState.RUNNING) {
            throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " is " + s.state().label() + ", not running a turn");
        }
        supervisor.whileLive(s, (current, live) -> {
            live.channel.interrupt(current, live);
            return current;
        });
    }

    /**
     * Follows a live session from this process until it closes, as a CLI attached to it must:
     * its events are stored and its host-side services (Podman socket, egress proxy, login
     * upkeep) are open. Nothing happens when another process (the server) already follows it.
     */
    public void followLive(String id) {
        Session s = get(id);
        if (s.state().live() && s.containerId() != null) supervisor.follow(s, false);
    }

    public Session stop(String id) {
        Session s = get(id);
        if (!s.state().live()) throw new SessionException(Kind.CONFLICT, "session " + s.shortId() + " is already " + s.state().label());
        supervisor.end(s, SessionState.STOPPED, "stopped by the user; resume to continue");
        return get(id);
    }

    /** Starts a fresh container for a stopped or failed session, continuing its conversation; a live one just gets the prompt. */
    public Session resume(String idOrShortId, String prompt, Consumer<String> progress) {
        checkDisk();
        Session s = get(idOrShortId);
        String first = prompt == null || prompt.isBlank() ? null : prompt.strip();
        if (s.state().live()) return first == null ? s : send(s.id(), first);
        return resumer.resume(s, first, progress);
    }

    /**
     * Continues a session in the other mode: the running Claude Code ends (its container is
     * removed, the work saved) and a fresh one resumes the same conversation with --resume.
     */
    public Session switchMode(String idOrShortId, SessionMode mode, Consumer<String> progress) {
        return resumer.switchMode(get(idOrShortId), Objects.requireNonNull(mode), progress);
    }

    /** The runner image's id, as the starter checked it (for the containers Burrow runs beside a session). */
    private String runImage() {
        return starter.runImage();
    }

    public void delete(String id) {
        Session s = get(id);
        if (s.state().live()) supervisor.end(s, SessionState.STOPPED, null);
        else saver.save(s);
        // The containers, volumes, networks and images the session made through the host's Podman go with it.
        try {
            for (String sibling : engine.siblings(s.id())) engine.removeSibling(sibling, s.id());
            for (String left : engine.removeSessionObjects(s.id())) LOG.warn("session {}: could not remove {}", s.shortId(), left);
        } catch (RuntimeException e) {
            LOG.warn("could not remove the containers session {} started: {}", s.shortId(), e.getMessage());
        }
        services.remove(s);
        recorder.setState(s.id(), SessionState.DELETED, null);
        SessionDirs.remove(engine, s);
        saver.forget(s.id());
    }

    /** Saves the session's work now, as after every turn; returns how long it took (./burrow bench start reports it). */
    public Duration save(String id) {
        Session s = get(id);
        long t0 = System.nanoTime();
        saver.save(s);
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /**
     * How the session's last save left its container: "run dir" (asked for there: the usual way),
     * "exec" (a container that did not answer there), "throwaway container" (its own was gone).
     */
    public Optional<String> lastSaveWay(String id) {
        return saver.lastWay(id);
    }

    /** All of the session's work as of its last save, committed and uncommitted, file by file. */
    public dev.burrow.workspace.Changes changes(String id) {
        Session s = get(id);
        if (s.baseCommit() == null) return new dev.burrow.workspace.Changes(Optional.empty(), List.of(), false);
        // Not serialized with the saves: it reads refs, which git updates atomically.
        return workspaces.changes(s.source(), s.branch(), s.shortId(), s.baseCommit(), WorkSaver.savedAt(s));
    }

    /** The session branch's changes against its base, as a unified diff. */
    public String diff(String id) {
        Session s = get(id);
        if (s.baseCommit() == null) return "";
        // Not serialized with the saves: it reads refs, which git updates atomically.
        return workspaces.diff(s.source(), s.branch(), s.baseCommit());
    }

    /**
     * Brings the store in line with the containers: sessions whose container is gone become
     * stopped; with {@code follow}, sessions whose container runs are followed from their offset.
     */
    public void reconcile(boolean follow) {
        reconciler.reconcile(follow);
    }

    /**
     * Stops every live session, with the reason, when the data dir's disk is nearly full; the
     * server calls this with each reconcile. Answers the reason, if any.
     */
    public java.util.Optional<String> watchDisk() {
        java.util.Optional<String> short_ = disk.shortage();
        if (short_.isEmpty()) {
            reserve.keep(disk.freeBytes().getAsLong(), disk.floor());
            return short_;
        }
        String why = short_.get();
        for (Session s : store.list()) {
            if (!s.state().live() || !supervisor.follows(s.id())) continue;
            try {
                // Its container goes first, then Burrow's reserve makes room for the notice, the state and the save.
                supervisor.endForDisk(s, why, reserve::release);
            } catch (RuntimeException e) {
                LOG.warn("could not stop session {} for the disk: {}", s.shortId(), e.getMessage());
            }
        }
        return short_;
    }

    /** For tests: how free space is read. */
    void useDiskWatch(DiskWatch watch) {
        this.disk = java.util.Objects.requireNonNull(watch);
    }

    /** Refuses a start while the data dir's disk is nearly full. */
    private void checkDisk() {
        disk.shortage().ifPresent(why -> {
            throw new SessionException(Kind.UNAVAILABLE, why);
        });
    }

    /** The server: reconciles (and so takes over sessions nobody follows) and watches the disk every {@code period} until closed. */
    public void reconcileEvery(Duration period) {
        // Each round also looks at the disk: sessions stop, with the reason, before it fills.
        reconciler.every(period, () -> watchDisk().ifPresent(why -> LOG.warn("{}", why)));
    }

    static void checkMessageSize(String text) {
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
            throw new SessionException(Kind.TOO_LARGE, "the message is over 1 MiB; put large content in a file in the repository instead");
        }
    }

    /**
     * Keeps warm containers (BURROW_WARM) for the repositories, environments and policies that
     * chat sessions used lately: the server does, a one-off command does not.
     */
    public void keepWarm() {
        warm.start(store.list());
    }

    /** The warm containers waiting now: how many, and their container ids. */
    public List<String> warmContainers() {
        return warm.all().stream().map(WarmPool.Slot::container).toList();
    }

    /** Stops following; the agents keep running in their containers for the next Burrow process. Warm containers go. */
    @Override
    public void close() {
        warm.close();
        reconciler.close();
        supervisor.close();
        credentials.close();
    }
}
