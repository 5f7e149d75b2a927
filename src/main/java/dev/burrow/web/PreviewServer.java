package dev.burrow.web;

import dev.burrow.auth.Authenticator;
import dev.burrow.preview.PreviewTunnel;
import dev.burrow.preview.PreviewTunnels;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live previews: a port a program listens on in a session's container, served to the browser
 * from an origin of its own (a port of this machine, one per session and container port, from
 * {@link WebOptions#previewPorts()}), so that the previewed app can script neither Burrow's
 * pages nor another preview.
 *
 * <p>Access: Burrow's page hands the logged-in browser a one-time link ({@link #link}); the
 * preview's port trades it for a cookie of its own ({@code burrow_preview_PORT}, an hour from
 * its last use). Cookies ignore ports, so the browser also sends Burrow's login cookie to the
 * preview: the proxy strips it (and every preview cookie, and Burrow's bearer tokens) before
 * the request reaches the container, and drops what the app answers that would set or clear
 * Burrow's cookies ({@link PreviewHead}).
 */
final class PreviewServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PreviewServer.class);
    static final String COOKIE_PREFIX = "burrow_preview_";
    static final String START = "/.burrow-preview/start";
    static final Duration LINK_LIFE = Duration.ofSeconds(60);
    static final Duration COOKIE_LIFE = Duration.ofHours(1);
    /** The most preview ports one session holds open. */
    static final int MAX_PER_SESSION = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A one-time link's promise: this session's port, until then. */
    record Grant(String sessionId, int port, Instant until) {
    }

    private final PreviewTunnels tunnels;
    private final ServedHosts served;
    private final Authenticator auth;
    private final WebOptions options;
    private final Clock clock;
    private final Map<String, Grant> links = new ConcurrentHashMap<>();
    private final Map<String, PreviewListener> listeners = new ConcurrentHashMap<>();

    PreviewServer(PreviewTunnels tunnels, ServedHosts served, Authenticator auth, WebOptions options, Clock clock) {
        this.tunnels = Objects.requireNonNull(tunnels);
        this.served = Objects.requireNonNull(served);
        this.auth = Objects.requireNonNull(auth);
        this.options = Objects.requireNonNull(options);
        this.clock = Objects.requireNonNull(clock);
        this.aside = asideAddress(options.bind());
        // A session's previews close with its tunnel.
        this.unsubscribe = tunnels.onClose(this::closeSession);
    }

    private final Runnable unsubscribe;
    /** 127.0.0.2, when Burrow listens on 127.0.0.1 (the default) and it can be bound: previews listen and are opened there; else null. */
    private final InetAddress aside;

    /**
     * Beside a Burrow on 127.0.0.1, previews take 127.0.0.2: a loopback address of this machine
     * that no one uses for Burrow, so a preview never shares a host, nor so a cookie jar, with
     * Burrow's pages, whichever loopback name the browser uses for Burrow.
     */
    static InetAddress asideAddress(String bind) {
        if (!bind.equals("127.0.0.1")) return null;
        try {
            InetAddress two = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
            try (ServerSocket probe = new ServerSocket(0, 1, two)) {
                return two;
            }
        } catch (IOException e) {
            return null;
        }
    }

    void register(io.javalin.config.JavalinConfig cfg, dev.burrow.session.SessionManager sessions) {
        cfg.routes.get("/api/sessions/{id}/ports", ctx -> {
            String id = sessions.get(ctx.pathParam("id")).id();
            Json.send(ctx, 200, portList(id, ports(id), sessions.forwardedPorts(id)));
        });
        // Opens the preview: its own origin, with a one-time token that sets its cookie there.
        cfg.routes.get("/sessions/{id}/preview/{port}", ctx -> {
            String id = sessions.get(ctx.pathParam("id")).id();
            int port;
            try {
                port = Integer.parseInt(ctx.pathParam("port"));
            } catch (NumberFormatException e) {
                throw new ApiError(400, "no port " + ctx.pathParam("port"));
            }
            if (!ports(id).contains(port)) {
                throw new ApiError(409, "nothing listens on port " + port + " in the session's container now; the session page lists the ports that do");
            }
            ctx.header("Cache-Control", "no-store");
            String host = aside != null ? aside.getHostAddress()
                    : previewHost(ServedHosts.hostOnly(ctx.host() == null ? "localhost" : ctx.host()), ctx.req().getLocalAddr());
            ctx.redirect(link(id, port, host, "https".equals(ctx.scheme())), io.javalin.http.HttpStatus.SEE_OTHER);
        });
    }

    /**
     * The host name a preview is opened by: another name for this machine than the one the
     * browser used for Burrow, when one is known, so that the preview's pages share no cookie
     * jar with Burrow's (cookies are kept per host, whatever the port). Reached by a name, the
     * address the connection came in on; reached by a loopback address, "localhost". Reached by
     * another address, that address: the preview then shares the jar, and the proxy's filters
     * and Burrow's reading of every login cookie it gets are what hold (README).
     */
    static String previewHost(String requestHost, String localAddress) {
        if (requestHost.endsWith(".")) requestHost = requestHost.substring(0, requestHost.length() - 1);
        boolean literal = requestHost.matches("[0-9.]+") || requestHost.contains(":");
        if (!literal) return localAddress == null || localAddress.isBlank() ? requestHost : localAddress;
        try {
            if (InetAddress.getByName(requestHost).isLoopbackAddress()) return "localhost";
        } catch (java.net.UnknownHostException e) {
            // a literal always parses
        }
        return requestHost;
    }

    /**
     * The session's preview links: the ports its environment forwards first (with their labels,
     * listening or not yet), then the other ports its programs listen on.
     */
    static tools.jackson.databind.node.ArrayNode portList(String id, List<Integer> listening, List<dev.burrow.environment.Environment.Port> forwarded) {
        var list = Json.MAPPER.createArrayNode();
        for (var f : forwarded) {
            var o = list.addObject().put("port", f.port()).put("url", "/sessions/" + id + "/preview/" + f.port()).put("listening", listening.contains(f.port()));
            if (!f.label().isEmpty()) o.put("label", f.label());
        }
        for (int p : listening) {
            if (forwarded.stream().noneMatch(f -> f.port() == p)) list.addObject().put("port", p).put("url", "/sessions/" + id + "/preview/" + p).put("listening", true);
        }
        return list;
    }

    /** The ports the session's programs listen on, as its forwarder says; empty when no process here follows it. */
    List<Integer> ports(String sessionId) {
        return tunnels.of(sessionId).map(PreviewTunnel::ports).orElse(List.of());
    }

    /**
     * Where the browser opens the preview of {@code port}: its own origin on {@code hostName}
     * (the name the browser reached Burrow by), with a one-time token that sets the preview cookie.
     */
    String link(String sessionId, int port, String hostName, boolean https) throws IOException {
        if (tunnels.of(sessionId).isEmpty()) throw new ApiError(409, "the session is not running here; resume it to preview its ports");
        if (port < 1 || port > 65535) throw new ApiError(400, "no port " + port);
        PreviewListener l = listener(sessionId, port);
        String token = random();
        links.entrySet().removeIf(e -> e.getValue().until().isBefore(clock.instant()));
        links.put(token, new Grant(sessionId, port, clock.instant().plus(LINK_LIFE)));
        String host = hostName.contains(":") && !hostName.startsWith("[") ? "[" + hostName + "]" : hostName;
        return (https ? "https" : "http") + "://" + host + ":" + l.port() + START + "?token=" + token;
    }

    private synchronized PreviewListener listener(String sessionId, int port) throws IOException {
        String key = sessionId + ":" + port;
        PreviewListener existing = listeners.get(key);
        if (existing != null) return existing;
        long mine = listeners.values().stream().filter(l -> l.sessionId().equals(sessionId)).count();
        if (mine >= MAX_PER_SESSION) throw new ApiError(409, "the session has " + MAX_PER_SESSION + " previews open already; stop it and resume to start over");
        ServerSocket socket = bind();
        PreviewListener l = new PreviewListener(sessionId, port, socket, this);
        listeners.put(key, l);
        l.start();
        LOG.info("session {}: port {} previewed on port {}", sessionId.substring(0, 8), port, socket.getLocalPort());
        return l;
    }

    private ServerSocket bind() throws IOException {
        InetAddress address = aside != null ? aside : InetAddress.getByName(options.bind());
        WebOptions.PortRange range = options.previewPorts();
        if (range.any()) return new ServerSocket(0, 64, address);
        for (int p = range.first(); p <= range.last(); p++) {
            try {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(address, p), 64);
                return s;
            } catch (IOException taken) {
                // the next one
            }
        }
        throw new ApiError(503, "no free port for a preview in " + range + " (BURROW_PREVIEW_PORTS); stop a session or widen the range");
    }

    /** Trades a one-time link's token for the grant it stands for, once. */
    Optional<Grant> redeem(String token) {
        Grant g = token == null ? null : links.remove(token);
        return g != null && g.until().isAfter(clock.instant()) ? Optional.of(g) : Optional.empty();
    }

    boolean serves(String hostHeader) {
        return served.serves(hostHeader) || aside != null && hostHeader != null && ServedHosts.hostOnly(hostHeader.strip()).equals(aside.getHostAddress());
    }

    /** A bearer token of Burrow's (never passed on to the container). */
    boolean isBurrowsBearer(String authorization) {
        return authorization.regionMatches(true, 0, "Bearer ", 0, 7) && auth.token(authorization.substring(7).strip()).isPresent();
    }

    Optional<PreviewTunnel> tunnel(String sessionId) {
        return tunnels.of(sessionId);
    }

    Clock clock() {
        return clock;
    }

    boolean secureCookies() {
        return options.secureCookies();
    }

    /** Closes the session's previews: its tunnel closed. */
    private void closeSession(String sessionId) {
        listeners.entrySet().removeIf(e -> {
            if (!e.getValue().sessionId().equals(sessionId)) return false;
            e.getValue().close();
            return true;
        });
    }

    static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public void close() {
        unsubscribe.run();
        listeners.values().forEach(PreviewListener::close);
        listeners.clear();
    }

    /** For a connection on a preview port: the client's socket. */
    interface Connection {
        void serve(Socket client) throws IOException;
    }
}
