package dev.burrow.session;

import dev.burrow.config.Config;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.EgressProxy;
import dev.burrow.container.RunDir;
import dev.burrow.gateway.BurrowCa;
import dev.burrow.gateway.GitGateway;
import dev.burrow.gateway.GitScope;
import dev.burrow.gateway.ModelExchange;
import dev.burrow.gateway.ServerTls;
import dev.burrow.workspace.GitHost;
import dev.burrow.gateway.ModelGateway;
import dev.burrow.gateway.ModelPrices;
import dev.burrow.gateway.UpstreamTls;
import dev.burrow.store.ModelUsageStore;
import dev.burrow.host.GpuSupport;
import dev.burrow.host.PodmanService;
import dev.burrow.siblings.Pins;
import dev.burrow.siblings.SessionBox;
import dev.burrow.siblings.SiblingSocket;
import dev.burrow.workspace.Workspaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services on the host side of a session's container, which the process following the
 * session holds open: the Podman socket (containers of its own), the egress proxy (its only
 * network under the none and allowlist policies), the model gateway (its model API, where its
 * placeholder becomes the real credential) and the upkeep of its Claude login. Their sockets live in
 * short per-session dirs under Burrow's runtime dir: a socket path may not be longer than 107 bytes.
 */
final class HostSideServices {
    private static final Logger LOG = LoggerFactory.getLogger(HostSideServices.class);

    private final Config config;
    private final PodmanService podman;
    private final ContainerEngine engine;
    // The pins of the sessions whose containers run (see Pins): undone when the container goes.
    private final java.util.concurrent.ConcurrentHashMap<String, Pins> pins = new java.util.concurrent.ConcurrentHashMap<>();
    // The build networks of the full-policy sessions whose containers run (see BuildNetwork): forgotten when the container goes.
    private final java.util.concurrent.ConcurrentHashMap<String, BuildNetwork> buildNetworks = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.function.Supplier<String> runImage;
    private final SessionCredentials credentials;
    private final GpuSupport gpus;
    private final ModelUsageStore usage;
    private final java.util.function.Function<Session, Optional<String>> remoteOf;
    private BurrowCa ca;
    private ServerTls serverTls;
    // One client for every session's gateway: its connections to the model API are pooled.
    private final HttpClient http;
    private final dev.burrow.preview.PreviewTunnels previews = new dev.burrow.preview.PreviewTunnels();

    /** {@code remoteOf}: the URL a session's branch is pushed to (where it was cloned from, or its repository's origin), if any. */
    HostSideServices(Config config, ContainerEngine engine, PodmanService podman, SessionCredentials credentials, GpuSupport gpus, ModelUsageStore usage,
                     java.util.function.Function<Session, Optional<String>> remoteOf, java.util.function.Supplier<String> runImage) {
        this.runImage = Objects.requireNonNull(runImage);
        this.snapshots = new dev.burrow.environment.SetupSnapshots(engine, dev.burrow.environment.SetupSnapshots.DEFAULT_LIFE, java.time.Clock.systemUTC());
        this.usage = Objects.requireNonNull(usage);
        this.remoteOf = Objects.requireNonNull(remoteOf);
        this.http = UpstreamTls.client(config.upstreamCa());
        this.config = Objects.requireNonNull(config);
        this.podman = Objects.requireNonNull(podman);
        this.engine = Objects.requireNonNull(engine);
        this.credentials = Objects.requireNonNull(credentials);
        this.gpus = Objects.requireNonNull(gpus);
    }

    /** The live preview tunnels of the sessions this process follows. */
    dev.burrow.preview.PreviewTunnels previews() {
        return previews;
    }

    /** The GPU devices of the session's container: the host's, when the session asked for them. */
    List<String> devices(Session s) {
        return s.gpu() ? gpus.runDevices() : List.of();
    }

    /**
     * The host dir holding the session's Podman socket (mounted at /run/podman), or null when
     * there is no Podman service to offer (root). Every policy gets one: its siblings share the
     * session's network namespace, so they have the session's network and no other.
     */
    Path podmanDir(Session s) {
        // Decided without starting the service: that happens beside the session's start, not before it.
        if (!podman.available()) return null;
        return created(podmanDirOf(s));
    }

    /** The host dir holding the session's model gateway and egress proxy sockets (mounted at /run/burrow-net). */
    Path netDir(Session s) {
        return created(netDirOf(s));
    }

    /** Where the session's model requests go on from its gateway: Burrow's ANTHROPIC_BASE_URL, else Anthropic's API. */
    URI upstream() {
        return URI.create(config.baseUrl().isBlank() ? "https://api.anthropic.com" : config.baseUrl());
    }

    /**
     * Opens the doors while this process follows the session; they close with the following.
     * {@code container}: the session's running container, whose network its siblings share.
     */
    /** What the session's Podman socket knows of it. */
    private SessionBox box(Session s, Supplier<Optional<String>> container) {
        return new SessionBox(s.id(), container, s.workspace(), s.network(), config.allowedHosts()::allows,
                config.allowedPrivate(), s.network().proxied() ? AgentLaunch.proxyEnv() : java.util.Map.of(), devices(s),
                pins.computeIfAbsent(s.id(), id -> new Pins(engine, pinsDirOf(s))),
                buildNetworks.computeIfAbsent(s.id(), id -> new BuildNetwork(s, config, engine, runImage, () -> ContainerStarter.guardRuleset(config),
                        netDirOf(s))));
    }

    /**
     * The session's guarded Podman socket for its environment's build, before its container
     * runs: the same gate as the socket its agent gets, on a path of Burrow's own.
     */
    private static final String ENVIRONMENT_BUILD = "environment-build";

    /**
     * After the container's setup succeeded, before any credential reaches it: when its
     * container set the environment up (ContainerStarter's pending key), its filesystem is kept
     * as the environment's set-up image for later sessions.
     */
    private void keepSetUp(Session s, Supplier<Optional<String>> container) {
        Path pending = s.dir().resolve(ContainerStarter.SETUP_PENDING);
        if (!Files.isRegularFile(pending, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        String key;
        try {
            key = Files.readString(pending).strip();
            Files.delete(pending);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        var image = SessionImage.load(s.dir()).orElse(null);
        String id = container.get().orElse(null);
        if (image == null || id == null || !key.equals(image.setup()) || snapshots.find(key).isPresent()) return;
        long started = System.nanoTime();
        var kept = snapshots.keep(id, key, image.user(), image.name());
        var removed = new dev.burrow.environment.EnvironmentCache(engine, dev.burrow.environment.EnvironmentCache.cap(System.getenv())).trim(kept.image());
        if (!removed.isEmpty()) LOG.info("environment images past BURROW_ENV_CACHE_GB removed, oldest first: {}", removed);
        LOG.info("session {}: its environment, set up, is kept for the next sessions ({} ms)", s.shortId(), (System.nanoTime() - started) / 1_000_000);
    }

    private final dev.burrow.environment.SetupSnapshots snapshots;

    /** The environments' set-up images: one for the process, which remembers the ones it saw. */
    dev.burrow.environment.SetupSnapshots snapshots() {
        return snapshots;
    }

    dev.burrow.environment.EnvironmentImages.BuildGate buildGate(Session s) {
        return () -> {
            if (!podman.available()) throw new IOException("an environment is built with rootless Podman's service, which is not available here (Burrow runs as root)");
            // Beside the session's other sockets: a unix socket's path has at most 107 bytes.
            Path dir = created(podman.runtimeDir().resolve(s.shortId() + "-env"));
            Path sock = dir.resolve("podman.sock");
            Files.deleteIfExists(sock);
            // Burrow is this socket's only client, and sends it one build. A build asks that the session be live (its
            // container running); here the session is live but its container waits for this build, which runs in the
            // session's build network, never the container's. The name stands for it and joins nothing.
            SiblingSocket socket = SiblingSocket.start(box(s, () -> Optional.of(ENVIRONMENT_BUILD)), sock, podman::socket);
            return new dev.burrow.environment.EnvironmentImages.BuildGate.Opened() {
                @Override
                public Path socket() {
                    return sock;
                }

                @Override
                public void close() {
                    socket.close();
                    Workspaces.deleteQuietly(dir);
                }
            };
        };
    }

    void open(Session s, LiveSession l, Supplier<Optional<String>> container) {
        if (podmanDir(s) != null) {
            try {
                SessionBox box = box(s, container);
                // The Podman service is found or started when the session first uses the socket, not before.
                l.attach(SiblingSocket.start(box, podmanDirOf(s).resolve("podman.sock"), podman::socket));
            } catch (IOException e) {
                LOG.warn("session {} cannot run containers: {}", s.shortId(), e.toString());
            }
        }
        ModelGateway model = null;
        try {
            ModelGateway.Route route = new ModelGateway.Route(upstream(), credentials.placeholder(s), credentials::upstream);
            model = ModelGateway.start(s.id(), netDirOf(s).resolve(RunDir.MODEL_SOCKET), route, http, e -> record(s, e), this::serverTls);
            l.attach(model);
        } catch (IOException e) {
            LOG.warn("session {} cannot reach the model: its gateway did not start: {}", s.shortId(), e.toString());
        }
        GitGateway git = gitGateway(s);
        if (git != null) {
            l.attach(git);
            if (GitGateway.loopbackPort(config.gitHost()).isPresent()) {
                try {
                    git.listen(netDirOf(s).resolve(RunDir.GIT_SOCKET));
                } catch (IOException e) {
                    LOG.warn("session {} cannot reach its git host: its gateway did not start: {}", s.shortId(), e.toString());
                }
            }
        }
        boolean modelByName = model != null && reachesModelByName(s);
        if (s.network().proxied() || git != null || modelByName) {
            try {
                l.attach(EgressProxy.start(s.id(), netDirOf(s).resolve(RunDir.EGRESS_SOCKET), AgentLaunch.egressRules(s, config),
                        EgressProxy.Interceptor.firstOf(git, modelByName ? model : null)));
            } catch (IOException e) {
                LOG.warn("session {} has no network: its egress proxy did not start: {}", s.shortId(), e.toString());
            }
        }
        try {
            l.attach(previews.open(s.id(), netDirOf(s).resolve(RunDir.PREVIEW_SOCKET)));
        } catch (IOException e) {
            LOG.warn("session {} has no live preview: its tunnel did not start: {}", s.shortId(), e.toString());
        }
        // The credentials, once the repository's setup has ended; then the login is kept current.
        l.attach(SecretsHandOver.start(s, credentials, () -> keepSetUp(s, container)));
    }

    /**
     * The session's way to its git host with Burrow's token, or null: no token, or a policy that
     * does not let the session reach the git host. Its scope is the repository the session came
     * from, when that is on the git host, and the session's branch.
     */
    private GitGateway gitGateway(Session s) {
        GitHost host = config.gitHost();
        if (!host.hasToken() || !reachesGitHost(s)) return null;
        String ownerRepo = remoteOf.apply(s).flatMap(host::ownerRepo).orElse("");
        GitScope scope = new GitScope(ownerRepo, s.branch(), !host.isGitHubCom());
        return new GitGateway(s.id(), host, scope, credentials.gitPlaceholder(s), credentials.placeholder(s), serverTls(), http);
    }

    /** Whether the session's network policy lets it reach the git host (and, for github.com, its API host). */
    boolean reachesGitHost(Session s) {
        GitHost host = config.gitHost();
        return reaches(s, host.base().getHost(), port(host.base()));
    }

    /** Whether the session's network policy lets it reach {@code host:port} through its egress proxy. */
    private boolean reaches(Session s, String host, int port) {
        return switch (s.network()) {
            case FULL -> true;
            case NONE -> false;
            case ALLOWLIST -> config.allowedHosts().allows(host, port);
        };
    }

    /**
     * Whether the session reaches the model API by its host name through its egress proxy, where
     * the model gateway answers for it: an HTTPS model API without a path, which the session's
     * policy lets it reach.
     */
    boolean reachesModelByName(Session s) {
        String authority = ModelGateway.interceptedAuthority(upstream());
        if (authority == null) return false;
        int colon = authority.lastIndexOf(':');
        return reaches(s, authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)));
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private synchronized ServerTls serverTls() {
        if (serverTls == null) serverTls = new ServerTls(ca());
        return serverTls;
    }

    /** The install's CA, made on first use. */
    synchronized BurrowCa ca() {
        if (ca == null) ca = BurrowCa.loadOrCreate(config.dataDir().resolve("ca"));
        return ca;
    }

    private void record(Session s, ModelExchange e) {
        usage.add(s.id(), e.endsTurn(), e.inputTokens(), e.outputTokens(), e.cacheReadTokens(), e.cacheCreationTokens(), ModelPrices.cost(e));
    }

    /** Removes the session's socket dirs (the session is deleted). */
    /** Undoes the session's pins (its container is gone), this process's and any an earlier one left. */
    void unpin(Session s) {
        buildNetworks.remove(s.id()); // its container went with the session's siblings
        Pins p = pins.remove(s.id());
        (p != null ? p : new Pins(engine, pinsDirOf(s))).close();
    }

    void remove(Session s) {
        unpin(s);
        Workspaces.deleteQuietly(podmanDirOf(s));
        Workspaces.deleteQuietly(netDirOf(s));
    }

    private Path podmanDirOf(Session s) {
        return podman.runtimeDir().resolve(s.shortId());
    }

    private Path pinsDirOf(Session s) {
        return podman.runtimeDir().resolve(s.shortId() + "-pins");
    }

    private Path netDirOf(Session s) {
        return podman.runtimeDir().resolve(s.shortId() + "-net");
    }

    private static Path created(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
