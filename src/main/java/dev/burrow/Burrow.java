package dev.burrow;

import dev.burrow.auth.Authenticator;
import dev.burrow.config.Config;
import dev.burrow.config.PrivateDir;
import dev.burrow.container.Commands;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.PodmanCli;
import dev.burrow.container.ProcessRunner;
import dev.burrow.container.RunnerImage;
import dev.burrow.host.GpuSupport;
import dev.burrow.host.PodmanService;
import dev.burrow.session.SessionManager;
import dev.burrow.store.AuthStore;
import dev.burrow.store.Database;
import dev.burrow.store.PushStore;
import dev.burrow.store.SessionStore;
import dev.burrow.workspace.GitCredentials;
import dev.burrow.workspace.Workspaces;
import java.time.Clock;
import java.util.Objects;

/**
 * Burrow wired together, explicitly: config, database, podman, workspaces and the session
 * engine. The CLI, the server and the tests all start it the same way.
 */
public final class Burrow implements AutoCloseable {
    private final Config config;
    private final Database database;
    private final ContainerEngine engine;
    private final SessionManager sessions;
    private final Authenticator auth;
    private final PodmanService podman;
    private final PushStore pushes;

    private Burrow(Config config, Database database, ContainerEngine engine, SessionManager sessions, Authenticator auth, PodmanService podman) {
        this.podman = podman;
        this.pushes = new PushStore(database);
        this.config = config;
        this.database = database;
        this.engine = engine;
        this.sessions = sessions;
        this.auth = auth;
    }

    public static Burrow start(Config config) {
        Objects.requireNonNull(config);
        long t0 = System.nanoTime();
        ContainerEngine engine = new PodmanCli(ProcessRunner.SYSTEM);
        PrivateDir.secure(config.dataDir());
        Database db = new Database(config.database());
        debug("database open", t0);
        String image = config.runnerImage().isBlank() ? RunnerImage.fromClasspath().tag() : config.runnerImage();
        Workspaces workspaces = new Workspaces(new Commands(ProcessRunner.SYSTEM), config.mirrorsDir(),
                GitCredentials.install(config.gitHost(), config.dataDir()));
        // Found or started on first use: most commands never need it.
        PodmanService podman = new PodmanService(System.getenv(), PodmanService.runtimeDir(System.getenv()));
        // Image reads (before every environment's start) through the API socket once its service runs: milliseconds, not a process each.
        if (engine instanceof PodmanCli cli) cli.readImagesThrough(podman::ifRunning);
        GpuSupport gpus = GpuSupport.detect();
        debug("runner image named, GPU looked for", t0);
        SessionManager sessions = new SessionManager(config, engine, workspaces, new SessionStore(db), image, gpus, podman);
        debug("sessions ready", t0);
        return new Burrow(config, db, engine, sessions, new Authenticator(new AuthStore(db), Clock.systemUTC()), podman);
    }

    /** Where a start's time goes (BURROW_LOG_LEVEL=debug). */
    private static void debug(String what, long sinceNanos) {
        org.slf4j.LoggerFactory.getLogger(Burrow.class).debug("start: {} at {} ms", what, (System.nanoTime() - sinceNanos) / 1_000_000);
    }

    public Config config() {
        return config;
    }

    public ContainerEngine engine() {
        return engine;
    }

    public SessionManager sessions() {
        return sessions;
    }

    public Authenticator auth() {
        return auth;
    }

    /**
     * Finds or starts the user's Podman API service now, in the background, instead of at a
     * session's first container: the server does, so its starts read images through it.
     */
    public void startPodmanService() {
        Thread.ofVirtual().name("podman-service").start(podman::socket);
    }

    /** The devices that get pushes. */
    public PushStore pushes() {
        return pushes;
    }

    @Override
    public void close() {
        sessions.close();
        podman.close();
        database.close();
    }
}
