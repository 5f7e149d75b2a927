package dev.burrow.session;

import dev.burrow.config.Config;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerException;
import dev.burrow.container.EgressFirewall;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.container.PrivateAddresses;
import dev.burrow.container.RunnerImagePin;
import dev.burrow.gateway.ContainerTrust;
import dev.burrow.gateway.GitGateway;
import dev.burrow.workspace.GitHost;
import dev.burrow.host.GpuSupport;
import dev.burrow.host.HostSetup;
import dev.burrow.session.SessionException.Kind;
import java.nio.file.Files;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Starts session containers: checks first that one could start at all (image, credentials,
 * model endpoint), decides on the GPU, prepares the run dir and runs the container, at once
 * or beside the clone of a new workspace.
 */
final class ContainerStarter {
    private static final Executor STARTER = Executors.newVirtualThreadPerTaskExecutor();

    private final Config config;
    private final ContainerEngine engine;
    private final String image;
    private final GpuSupport gpus;
    private final RunnerImagePin pin;
    private volatile String pinned;
    private final HostSideServices services;
    private final SessionCredentials credentials;
    private volatile boolean imageSeen;
    private volatile ContainerTrust.Prepared trust;
    private final StartQueue queue;
    private final ImageBuild build = new ImageBuild();

    ContainerStarter(Config config, ContainerEngine engine, String image, GpuSupport gpus, HostSideServices services, SessionCredentials credentials) {
        this.credentials = Objects.requireNonNull(credentials);
        this.services = Objects.requireNonNull(services);
        this.config = Objects.requireNonNull(config);
        this.engine = Objects.requireNonNull(engine);
        this.image = Objects.requireNonNull(image);
        this.gpus = Objects.requireNonNull(gpus);
        this.pin = new RunnerImagePin(engine, config.dataDir());
        this.queue = new StartQueue(config.maxStarts());
        this.environments = new dev.burrow.environment.EnvironmentImages(engine);
        this.snapshots = services.snapshots();
    }

    /** Makes a session's run dir ready for a container: FIFO, secrets, seeded Claude config; "ready" when {@code ready}. */
    void prepare(Session s, boolean ready) {
        AgentLaunch.prepareRunDir(s, config, credentials, ready);
    }

    /** Claude Code's trust of the environment's workspaceFolder, when it is not /workspace (seeded with the config). */
    void trustWorkdir(Session s) {
        String workdir = sessionImage(s).run().workdir();
        if (!workdir.equals(dev.burrow.environment.Environment.WORKSPACE)) ClaudeConfigSeed.trust(s.claudeConfig(), workdir);
    }

    /** A warm container's session, claimed: what is the session's goes in now (its Claude config's approval, its credentials waiting). */
    void prepareClaimed(Session s) {
        AgentLaunch.prepareSessionFiles(s, config, credentials, false);
    }

    /**
     * A warm container for {@code s}, not a session yet: its dirs with the claim FIFO, its
     * environment from {@code files}, started and guarded; it waits for {@link #claim}.
     */
    String startWarm(Session s, dev.burrow.environment.RepoFiles files, String environment) {
        try {
            java.nio.file.Files.createDirectories(s.workspace());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        AgentLaunch.prepareContainerDirs(s, true);
        Consumer<String> quiet = line -> { };
        prepareEnvironment(s, files, environment, quiet, quiet, false);
        return runInTurn(s, chooseImage(s, quiet), false, quiet);
    }

    /**
     * Wakes a warm container for the session that claimed it: opens the run dir's claim FIFO,
     * which its script waits on. False when nothing reads there within a second (the container
     * is gone) or the name is not a FIFO: the session then starts cold. The run dir is the
     * container's to write: the name is opened without following a link, never created.
     */
    static boolean claim(Session s) {
        return dev.burrow.container.HostileFiles.writeFifo(s.runDir().resolve(dev.burrow.container.RunDir.CLAIM), new byte[] {'\n'},
                java.time.Duration.ofSeconds(1));
    }

    String image() {
        return image;
    }

    /**
     * What sessions run: the runner image's id, checked once per process against the one
     * Burrow built ({@link RunnerImagePin}); the tag may be moved later, the id does not.
     */
    String runImage() {
        String id = pinned;
        if (id != null) return id;
        try {
            id = pin.verified(image);
        } catch (ContainerException e) {
            throw new SessionException(Kind.UNAVAILABLE, e.getMessage());
        }
        pinned = id;
        return id;
    }

    /**
     * How the session's container reaches, through its gateways, the git host (when Burrow holds
     * a token the session may use) and the model API by its name; null for neither.
     */
    private AgentLaunch.GatewayReach gatewayReach(Session s) {
        GitHost host = config.gitHost();
        boolean git = host.hasToken() && services.reachesGitHost(s);
        int gitPort = git ? GitGateway.loopbackPort(host).orElse(0) : 0;
        boolean gitTls = git && (host.isGitHubCom() || "https".equalsIgnoreCase(host.base().getScheme()));
        // Under full, a host's own proxy (one without credentials) is kept for the rest: the model API is then
        // reached through it, by name, with the placeholder, which is worth nothing there.
        boolean model = services.reachesModelByName(s)
                && (s.network().proxied() || AgentLaunch.hostProxies(System.getenv()).isEmpty());
        if (!git && !model) return null;
        return new AgentLaunch.GatewayReach(gitPort, (git && gitPort == 0) || model, gitTls || model ? trust() : null);
    }

    /** The runner image's trust files with Burrow's CA, prepared once per image (a throwaway container the first time). */
    private ContainerTrust.Prepared trust() {
        ContainerTrust.Prepared t = trust;
        if (t != null) return t;
        try {
            t = ContainerTrust.prepare(engine, runImage(), config.dataDir().resolve("ca"), services.ca());
        } catch (ContainerException e) {
            throw new SessionException(Kind.UNAVAILABLE, e.getMessage());
        }
        trust = t;
        return t;
    }

    GpuSupport gpus() {
        return gpus;
    }

    /** Builds the runner image when it is missing (showing progress), and remembers that it exists. */
    void ensureImage(Consumer<String> progress) {
        if (imageSeen) return;
        build.begin();
        try {
            HostSetup.ensureImage(engine, config, image, line -> {
                build.step(line);
                progress.accept(line);
            });
            imageSeen = true;
            build.end(null);
        } catch (RuntimeException e) {
            build.end(e.getMessage());
            throw e;
        }
    }

    /** While the runner image is being built (or after it could not be), the line that says so. */
    Optional<String> imageBuild() {
        return build.line();
    }

    /** Waits for a runner image build under way, telling {@code progress} how far it is; fails when it failed. */
    void awaitImage(Consumer<String> progress) {
        while (true) {
            Optional<String> line = build.line();
            if (line.isEmpty()) return;
            if (!build.running()) throw new SessionException(Kind.UNAVAILABLE, line.get());
            progress.accept("waiting for the runner image: " + line.get());
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SessionException(Kind.UNAVAILABLE, "stopped while waiting for the runner image");
            }
        }
    }

    /** Fails fast, with the fix, when no session could start: no podman, no image, no endpoint, no credentials. */
    void checkRunnable() {
        checkRunnable(false);
    }

    /** As above; {@code canWait}: a start that can wait for a runner image build under way is not refused for it. */
    void checkRunnable(boolean canWait) {
        Optional<String> building = build.line();
        if (building.isPresent() && !(canWait && build.running())) {
            throw new SessionException(Kind.UNAVAILABLE, building.get() + (build.running() ? "; try again when it is done" : ""));
        }
        try {
            if (building.isEmpty() && !imageSeen && !engine.imageExists(image)) {
                throw new SessionException(Kind.UNAVAILABLE, "the runner image " + image + " is missing; build it with ./burrow image build");
            }
            imageSeen = true;
        } catch (ContainerException e) {
            throw new SessionException(Kind.UNAVAILABLE, e.getMessage());
        }
        credentials.check();
        Endpoint.check(config.baseUrl());
    }

    /** Whether a new session gets the GPU: as asked, else when the host has one; asking for a missing one is refused. */
    boolean gpuFor(Boolean asked) {
        boolean gpu = asked == null ? gpus.usable() : asked;
        if (gpu && !gpus.usable()) {
            throw new SessionException(Kind.BAD_INPUT, "this host has no GPU that sessions can use (" + gpus.summary() + ")"
                    + (gpus.fix().isEmpty() ? "" : "; " + gpus.fix()) + "; start the session without the GPU");
        }
        return gpu;
    }

    /** A new session's container, started while its workspace is still being cloned; it waits for "ready". */
    CompletableFuture<String> startBeside(Session s, Consumer<String> progress) {
        SessionImage run = chooseImage(s, progress);
        return CompletableFuture.supplyAsync(() -> runInTurn(s, run, false, progress), STARTER);
    }

    private final dev.burrow.environment.EnvironmentImages environments;
    private final dev.burrow.environment.SetupSnapshots snapshots;

    /**
     * The session's environment, from the repository's files at its commit: nothing to do for
     * Burrow's runner image; else its image, built or found, kept in the session's dir for its
     * containers. {@code notice} gets the lines the session shows about it.
     */
    void prepareEnvironment(Session s, dev.burrow.environment.RepoFiles files, String asked, Consumer<String> progress, Consumer<String> notice) {
        prepareEnvironment(s, files, asked, progress, notice, true);
    }

    /** {@code mayBuild} false (a warm container): an environment not built yet is an EnvironmentException, not a build. */
    private void prepareEnvironment(Session s, dev.burrow.environment.RepoFiles files, String asked, Consumer<String> progress, Consumer<String> notice,
                                    boolean mayBuild) {
        var found = dev.burrow.environment.EnvironmentFinder.find(files, asked);
        found.notes().forEach(notice);
        var env = found.environment();
        if (!env.own()) return;
        if (env.gpu() && !s.gpu()) {
            throw new dev.burrow.environment.EnvironmentException(env.config() + " asks for a GPU (hostRequirements.gpu), and this session has none ("
                    + gpus.summary() + (gpus.usable() ? "; start it with the GPU" : gpus.fix().isEmpty() ? "" : "; " + gpus.fix())
                    + "); or set hostRequirements.gpu to \"optional\"");
        }
        notice.accept("environment " + env.name() + " from " + env.config() + (env.image() != null ? " (image " + env.image() + ")" : ""));
        for (String line : env.unsupported()) notice.accept(env.config() + ": " + line);
        var ready = environments.ensure(env, files, runImage(), services.buildGate(s), progress, mayBuild);
        List<String> caches = AgentLaunch.cacheTargets(config, ready.user().home());
        for (String t : env.run().options().tmpfs()) {
            AgentLaunch.covered(t, caches).ifPresent(m -> notice.accept(env.config() + ": tmpfs " + t + ": refused: Burrow mounts the session's cache "
                    + m + " there; not applied"));
        }
        if (ready.built()) trimEnvironments(ready.image(), notice);
        var run = linkFreeWorkdir(env, files, notice);
        java.util.Map<String, String> vars = new java.util.LinkedHashMap<>(env.containerEnv());
        vars.putAll(env.remoteEnv());
        if (vars.values().stream().anyMatch(v -> v.contains("${containerEnv:"))) {
            // "PATH": "/opt/tool/bin:${containerEnv:PATH}": the image's own value, as the container starts with it.
            vars = dev.burrow.environment.Environment.expandContainerEnv(vars, engine.imageEnv(ready.image()));
        }
        var script = files.id(SETUP_SCRIPT);
        boolean once = script.isPresent() || env.lifecycle().stream().anyMatch(st -> !st.everyStart());
        String setup = null;
        if (once) {
            java.util.Map<String, String> locks = new java.util.TreeMap<>();
            for (String f : env.lockFiles().isEmpty() ? dev.burrow.environment.Environment.DEFAULT_LOCK_FILES : env.lockFiles()) {
                files.id(f).ifPresent(id -> locks.put(f, id));
            }
            setup = dev.burrow.environment.SetupSnapshots.key(ready.image(), env.lifecycle(), script.orElse("-"), locks, s.network().name(), files.ref(),
                    run.workdir());
        }
        new SessionImage(ready.image(), runImage(), ready.user(), vars, env.name(), setup, env.lifecycle(), run).save(s.dir());
        if (!run.workdir().equals(dev.burrow.environment.Environment.WORKSPACE)) ClaudeConfigSeed.trust(s.claudeConfig(), run.workdir());
    }

    /**
     * A workspaceFolder inside the workspace whose way there is a link the repository holds
     * would take the agent wherever the link points: the agent works in /workspace instead, and
     * the session says so.
     */
    static dev.burrow.environment.Environment.RunSettings linkFreeWorkdir(dev.burrow.environment.Environment env,
                                                                          dev.burrow.environment.RepoFiles files, Consumer<String> notice) {
        var run = env.run();
        String ws = dev.burrow.environment.Environment.WORKSPACE;
        if (!run.workdir().startsWith(ws + "/")) return run;
        String path = "";
        for (String part : run.workdir().substring(ws.length() + 1).split("/")) {
            path = path.isEmpty() ? part : path + "/" + part;
            // A path git has that is neither a folder nor a regular file: a link (or a submodule).
            if (files.id(path).isPresent() && files.list(path).isEmpty() && !regularFile(files, path)) {
                notice.accept(env.config() + ": workspaceFolder " + run.workdir() + ": refused: " + path
                        + " is a link in the repository, and the agent works in the workspace itself; /workspace is used");
                return new dev.burrow.environment.Environment.RunSettings(run.options(), ws, run.ports());
            }
        }
        return run;
    }

    private static boolean regularFile(dev.burrow.environment.RepoFiles files, String path) {
        try {
            return files.read(path, 1 << 20).isPresent();
        } catch (RuntimeException tooLong) {
            return true;
        }
    }

    /** The environments' images past their cap (BURROW_ENV_CACHE_GB) go, oldest first; never {@code keep}. */
    void trimEnvironments(String keep, Consumer<String> notice) {
        var removed = new dev.burrow.environment.EnvironmentCache(engine, dev.burrow.environment.EnvironmentCache.cap(System.getenv())).trim(keep);
        if (!removed.isEmpty()) notice.accept("environment images past BURROW_ENV_CACHE_GB removed, oldest first: " + String.join(", ", removed));
    }

    static final String SETUP_SCRIPT = ".burrow/setup.sh";
    /** In the session's dir (Burrow's): the key of a setup that this session's container runs, to be kept once it succeeded. */
    static final String SETUP_PENDING = "setup.pending";

    /**
     * The image a container of the session starts from: its environment's set-up image when
     * there is one young enough (the lifecycle commands that set up once are then skipped), else
     * the environment's image, set up in the container and kept once that succeeded
     * ({@link HostSideServices}). Writes the run dir's lifecycle file to match.
     */
    private SessionImage chooseImage(Session s, Consumer<String> progress) {
        SessionImage run = sessionImage(s);
        try {
            Files.deleteIfExists(s.dir().resolve(SETUP_PENDING));
            boolean once = true;
            if (run.setup() != null) {
                var kept = snapshots.find(run.setup());
                if (kept.isPresent()) {
                    once = false;
                    progress.accept("environment: ready, set up " + kept.get().age(java.time.Clock.systemUTC()));
                    run = run.running(kept.get().image());
                } else {
                    Files.writeString(s.dir().resolve(SETUP_PENDING), run.setup());
                }
            }
            if (run.own()) dev.burrow.container.LifecycleFile.write(s.runDir(), run.steps(), once);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return run;
    }

    /**
     * Whether the session's container was started to set its environment up, and that setup has
     * been kept since (by another session): a warm container of that kind is better not claimed.
     */
    boolean setUpSince(Session s) {
        try {
            java.nio.file.Path pending = s.dir().resolve(SETUP_PENDING);
            return Files.isRegularFile(pending, java.nio.file.LinkOption.NOFOLLOW_LINKS) && snapshots.find(Files.readString(pending).strip()).isPresent();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** What the session runs: its environment's image (kept in its dir), else the runner image. */
    SessionImage sessionImage(Session s) {
        return SessionImage.load(s.dir()).orElseGet(() -> SessionImage.runner(runImage()));
    }

    /** Runs the session's container when the start queue lets it: a hung start once more, then the network guard. */
    private String runInTurn(Session s, SessionImage image, boolean resume, Consumer<String> progress) {
        long t0 = System.nanoTime();
        return queue.run(placeIn(progress), () -> {
            String id = runOnceMore(progress, () -> engine.run(AgentLaunch.spec(s, config, image, devices(s),
                    services.podmanDir(s), services.netDir(s), resume, gatewayReach(s))));
            LOG.debug("session {}: start: podman run done at {} ms", s.shortId(), (System.nanoTime() - t0) / 1_000_000);
            return guarded(s, id);
        });
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ContainerStarter.class);

    /** A fresh container for an existing session, resuming its conversation; the channel leaves what it needs for the first prompt. */
    String start(Session s, AgentChannel channel, String firstPrompt, Consumer<String> progress) {
        // Not "ready" until the container's network is guarded: its agent waits for that file.
        AgentLaunch.prepareRunDir(s, config, credentials, false);
        channel.prepareStart(s, firstPrompt);
        String id = runInTurn(s, chooseImage(s, progress), true, progress);
        AgentLaunch.markReady(s);
        return id;
    }

    /**
     * Under the full policy, the private-address guard goes into the container's network
     * before its agent starts ({@link EgressFirewall}); a container that cannot have it is removed.
     */
    private String guarded(Session s, String id) {
        if (s.network() != NetworkPolicy.FULL) return id;
        try {
            engine.guardEgress(id, guardRuleset(config));
            return id;
        } catch (RuntimeException e) {
            RuntimeException cause = stoppedAtStart(s, id).<RuntimeException>map(ContainerException::new).orElse(e);
            try {
                engine.remove(id);
            } catch (RuntimeException ignored) {
                // the start fails either way; reconcile finds what is left
            }
            throw cause;
        }
    }

    /**
     * When the guard could not go in because the container had already ended (an environment's
     * PATH without the container's commands, say), that is the line to show: its exit code and
     * the last line its agent wrote, not nsenter's complaint about a gone process.
     */
    private Optional<String> stoppedAtStart(Session s, String id) {
        try {
            var state = engine.inspect(id);
            if (state.isEmpty() || state.get().running()) return Optional.empty();
            // The container's own words: its last line, its controls taken out and cut short.
            String last = dev.burrow.container.HostileFiles.readTail(s.runDir().resolve(dev.burrow.container.RunDir.ERRORS), 2048)
                    .map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8).strip())
                    .map(t -> t.substring(t.lastIndexOf('\n') + 1).replaceAll("\\p{Cntrl}", "")).orElse("");
            if (last.length() > 200) last = last.substring(0, 200) + "…";
            return Optional.of("the session's container stopped as soon as it started (exit " + state.get().exitCode() + ")"
                    + (last.isBlank() ? "; see `podman logs` of its container" : ": " + last));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The full policy's guard, for nft in a session's network namespace (the container's, or its builds'). */
    static String guardRuleset(Config config) {
        return EgressFirewall.ruleset(config.allowedPrivate(), PrivateAddresses.machineAddresses(), PrivateAddresses.machineSubnets(),
                EgressFirewall.hostNameServers(),
                // No model endpoint to exempt: the container reaches the model API through its gateway.
                List.of());
    }

    /**
     * A start that hung (killed at its timeout, its container removed) is tried once more:
     * Podman 4.3 now and then hangs a start in a burst, and the next one goes through.
     */
    private static String runOnceMore(Consumer<String> progress, java.util.function.Supplier<String> start) {
        try {
            return start.get();
        } catch (ContainerException.TimedOut e) {
            progress.accept("the container start hung and was stopped; starting it again");
            return start.get();
        }
    }

    /** A place in the start queue, in words. */
    private static java.util.function.IntConsumer placeIn(Consumer<String> progress) {
        return place -> {
            if (place > 0) progress.accept(place == 1 ? "waiting to start: next in line" : "waiting to start: " + (place - 1) + " ahead");
        };
    }

    static String join(CompletableFuture<String> container) {
        try {
            return container.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw e;
        }
    }

    private List<String> devices(Session s) {
        return services.devices(s);
    }
}
