package dev.burrow.gateway;

import dev.burrow.container.EgressProxy;
import dev.burrow.container.ProxyIo;
import dev.burrow.http.BodyStream;
import dev.burrow.http.Refusal;
import dev.burrow.http.RequestHead;
import dev.burrow.workspace.GitHost;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A session's way to its git host (GitHub, or a GitHub Enterprise server) with the token Burrow
 * holds: the container holds only the session's placeholder, and here, on the host, a request
 * that presents it gets the real token, if {@link GitScope} allows what it does. The container
 * reaches it by a CONNECT through its egress proxy to the git host or its API host (answered
 * here with a leaf of Burrow's CA, which the container trusts), or, for a git host on this
 * machine's loopback, on the same port of its own loopback (runner/burrow-egress carries it
 * to this gateway's socket). Requests without the placeholder pass with the client's own
 * credentials, if any: nothing of Burrow's is on them.
 *
 * <p>Each connection is served on a virtual thread of its own, one request after another.
 */
public final class GitGateway implements EgressProxy.Interceptor, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GitGateway.class);
    private static final int MAX_JSON = 1024 * 1024;
    private static final long MAX_DROPPED = 512L << 20;
    private static final long MAX_SMALL_BODY = 1L << 20;
    private static final JsonMapper STRICT_JSON = JsonMapper.builder().enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final String API_HOST = "api.github.com";
    // The fields a pull request may be opened with: nothing that names another repository (head_repo) or issue.
    private static final java.util.Set<String> PULL_FIELDS = java.util.Set.of("head", "base", "title", "body", "draft", "maintainer_can_modify");

    private final String sessionId;
    private final GitHost host;
    private final GitScope scope;
    private final String placeholder;
    private final String modelPlaceholder;
    private final ServerTls tls;
    private final HttpClient http;
    private volatile ServerSocketChannel server;
    private volatile Path listen;
    private volatile boolean closed;
    private volatile ProxyIo.Connections connections;

    public GitGateway(String sessionId, GitHost host, GitScope scope, String placeholder, String modelPlaceholder, ServerTls tls, HttpClient http) {
        this.sessionId = Objects.requireNonNull(sessionId);
        this.host = Objects.requireNonNull(host);
        this.scope = Objects.requireNonNull(scope);
        this.placeholder = Objects.requireNonNull(placeholder);
        this.modelPlaceholder = Objects.requireNonNull(modelPlaceholder);
        this.tls = Objects.requireNonNull(tls);
        this.http = Objects.requireNonNull(http);
    }

    /** The git host's port on this machine's loopback, when it is there (the container reaches it on its own), else empty. */
    public static Optional<Integer> loopbackPort(GitHost host) {
        String h = host.base().getHost().toLowerCase(Locale.ROOT);
        if (!(h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]"))) return Optional.empty();
        return Optional.of(port(host.base()));
    }

    /** Also answers on {@code socket}: the container's loopback port of a git host on this machine's loopback. */
    public void listen(Path socket) throws IOException {
        server = ProxyIo.listen(socket);
        listen = socket;
        connections = ProxyIo.acceptOn(server, "git-gateway-" + sessionId.substring(0, Math.min(8, sessionId.length())), () -> closed, this::serveLoopback, 32);
    }

    private void serveLoopback(SocketChannel client) {
        try (client) {
            serve(Channels.newInputStream(client), Channels.newOutputStream(client), host.base().getHost(), port(host.base()));
        } catch (IOException | RuntimeException e) {
            LOG.debug("session {}: a git connection ended: {}", sessionId, e.toString());
        }
    }

    @Override
    public boolean intercepts(String name, int port) {
        String h = name.toLowerCase(Locale.ROOT);
        if (host.isGitHubCom()) return port == 443 && (h.equals("github.com") || h.equals(API_HOST));
        return h.equals(host.base().getHost().toLowerCase(Locale.ROOT)) && port == port(host.base());
    }

    /** Serves one connection the container opened to {@code name:port}: TLS when the host is https, then HTTP/1.1 requests. */
    @Override
    public void serve(InputStream rawIn, OutputStream rawOut, String name, int port) throws IOException {
        String h = name.toLowerCase(Locale.ROOT);
        boolean https = host.isGitHubCom() || "https".equalsIgnoreCase(host.base().getScheme());
        InputStream in = rawIn;
        OutputStream out = rawOut;
        TlsServerStream t = null;
        if (https) {
            t = new TlsServerStream(tls.forHost(h), rawIn, rawOut);
            t.handshake(java.time.Duration.ofSeconds(15));
            in = t.in();
            out = t.out();
        }
        try {
            in = new BufferedInputStream(in);
            out = new BufferedOutputStream(out, 16 * 1024);
            while (!closed) {
                Optional<RequestHead> head;
                try {
                    head = RequestHead.read(in);
                } catch (Refusal r) {
                    Answers.plain(out, r.status, r.getMessage(), true);
                    return;
                }
                if (head.isEmpty() || !exchange(head.get(), in, out, h, port)) return;
            }
        } finally {
            if (t != null) t.close();
        }
    }

    private boolean exchange(RequestHead head, InputStream in, OutputStream out, String name, int port) throws IOException {
        boolean close = "close".equalsIgnoreCase(head.header("Connection"));
        BodyStream body = new BodyStream(head, in);
        String target = head.target();
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        String query = target.contains("?") ? target.substring(target.indexOf('?') + 1) : null;
        boolean apiHost = host.isGitHubCom() && name.equals(API_HOST);
        if (head.headers().stream().filter(h -> h.name().equalsIgnoreCase("Authorization")).count() > 1) {
            Answers.plain(out, 400, "burrow: one Authorization header at most", true);
            return false;
        }
        String auth = head.header("Authorization");
        if (carries(auth, modelPlaceholder)) {
            Answers.plain(out, 403, "burrow: this session's model credential is only sent to its model API, not " + name, true);
            return false;
        }
        for (RequestHead.Header h : head.headers()) {
            boolean ours = h.name().equalsIgnoreCase("Authorization") && carries(h.value(), placeholder);
            if (!ours && h.value().contains(Placeholders.PREFIX)) {
                // Another session's placeholder, or ours where it does not belong: never sent on.
                Answers.plain(out, 403, "burrow: a session's credentials are only sent to the hosts they belong to, in its Authorization header", true);
                return false;
            }
        }
        if (!carries(auth, placeholder)) return forward(head, body, body, null, name, port, out, close, true);
        GitScope.Verdict v = scope.judge(apiHost, head.method(), path, query);
        switch (v) {
            case GitScope.Verdict.Refused r -> {
                LOG.info("session {}: {} {} {}: {}", sessionId.substring(0, 8), head.method(), name, path, r.message());
                // A small body is read first: closing on unread bytes resets the connection, and the client would lose the answer.
                body.drain(MAX_SMALL_BODY);
                // The API's clients (gh, curl) show an error's "message"; git shows a text body.
                if (apiHost || path.startsWith("/api/")) Answers.apiError(out, r.status(), r.message());
                else Answers.plain(out, r.status(), r.message(), true);
                return false;
            }
            case GitScope.Verdict.Bare b -> {
                return forward(head, body, body, null, name, port, out, close, false);
            }
            case GitScope.Verdict.WithToken w -> {
                return forward(head, body, body, token(w.api()), name, port, out, close, false);
            }
            case GitScope.Verdict.CheckPush c -> {
                return push(head, body, name, port, out, close);
            }
            case GitScope.Verdict.CheckPullRequest c -> {
                byte[] json = body.readNBytes(MAX_JSON + 1);
                String head2 = null;
                try {
                    // Strict: a second "head" key must not be the one GitHub reads, nor another field name another repository.
                    var pr = STRICT_JSON.readTree(json);
                    if (pr.isObject() && PULL_FIELDS.containsAll(pr.propertyNames())) head2 = pr.path("head").asString(null);
                } catch (JacksonException e) {
                    // refused below
                }
                if (json.length > MAX_JSON || !body.finished() || !scope.isOwnHead(head2)) {
                    Answers.plain(out, 403, "burrow: a pull request from this session must have head " + scope.branch() + " and no fields but "
                            + String.join(", ", new java.util.TreeSet<>(PULL_FIELDS)), true);
                    return false;
                }
                return forward(head, new ByteArrayInputStream(json), body, token(true), name, port, out, close, false);
            }
        }
    }

    /** A push to the session's repository: its ref updates are read first, and only the session's branch may be among them. */
    private boolean push(RequestHead head, BodyStream body, String name, int port, OutputStream out, boolean close) throws IOException {
        if (head.header("Content-Encoding") != null) {
            Answers.plain(out, 415, "burrow: a push with Content-Encoding cannot be checked; push without it", true);
            return false;
        }
        ReceivePack commands;
        try {
            commands = ReceivePack.read(body);
        } catch (IOException e) {
            Answers.plain(out, 400, "burrow: " + e.getMessage(), true);
            return false;
        }
        var others = commands.refs().stream().filter(r -> !r.equals(scope.ref())).toList();
        if (!others.isEmpty()) {
            LOG.info("session {}: refused a push to {}", sessionId.substring(0, 8), others);
            // git sends its pack before it reads the report: it is read (and dropped, up to a bound) so git gets to see it.
            if (!body.drain(MAX_DROPPED)) return false;
            String reason = "burrow: this session pushes only to " + scope.ref();
            byte[] report = commands.rejection(reason);
            if (report == null) Answers.plain(out, 403, reason + ", not " + String.join(", ", others), close);
            else Answers.own(out, 200, "application/x-git-receive-pack-result", report, close);
            return !close;
        }
        return forward(head, new SequenceInputStream(new ByteArrayInputStream(commands.head()), body), body, token(false), name, port, out, close, false);
    }

    /**
     * Sends the request on to the real host and passes its answer back. {@code credential}: the
     * Authorization to put on, or null; {@code clientsOwn}: keep the client's own Authorization
     * (it presented no placeholder) rather than none.
     */
    private boolean forward(RequestHead head, InputStream body, BodyStream raw, String credential, String name, int port, OutputStream out, boolean close,
                            boolean clientsOwn) throws IOException {
        URI upstream = URI.create(origin(name, port) + head.target());
        boolean hasBody = head.hasBody() || body instanceof ByteArrayInputStream || body instanceof SequenceInputStream;
        HttpRequest.Builder req = HttpRequest.newBuilder(upstream)
                .method(head.method(), hasBody ? HttpRequest.BodyPublishers.ofInputStream(() -> body) : HttpRequest.BodyPublishers.noBody());
        if ("http".equalsIgnoreCase(upstream.getScheme())) req.version(HttpClient.Version.HTTP_1_1);
        for (RequestHead.Header h : head.headers()) {
            String n = h.name().toLowerCase(Locale.ROOT);
            if (Answers.HOP.contains(n) && !n.equals("accept-encoding") || Answers.notForwarded(n)) continue;
            if (n.equals("authorization") && !clientsOwn) continue;
            req.header(h.name(), h.value());
        }
        if (credential != null) req.setHeader("Authorization", credential);
        HttpResponse<InputStream> answer;
        try {
            answer = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            LOG.info("session {}: {} cannot be reached: {}", sessionId.substring(0, 8), upstream.getHost(), e.toString());
            Answers.plain(out, 502, "burrow: " + upstream.getHost() + " cannot be reached: " + e.getMessage(), true);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        Answers.relay(head.method(), answer, out, close, null);
        // An answer that came before the whole request did leaves the rest unread: the connection cannot go on.
        return !close && raw.finished();
    }

    /** Where a request to {@code name:port} goes: the configured git host's own origin, or api.github.com. */
    private String origin(String name, int port) {
        if (host.isGitHubCom()) return "https://" + (name.equals(API_HOST) ? API_HOST : "github.com");
        return host.base().getScheme() + "://" + host.base().getRawAuthority();
    }

    private String token(boolean api) {
        return api ? "token " + host.token()
                : "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + host.token()).getBytes(StandardCharsets.UTF_8));
    }

    /** Whether an Authorization header carries {@code secret}: as a token, a bearer, or either half of basic credentials. */
    static boolean carries(String auth, String secret) {
        if (auth == null) return false;
        String a = auth.strip();
        int space = a.indexOf(' ');
        if (space < 0) return same(a, secret);
        String scheme = a.substring(0, space).toLowerCase(Locale.ROOT);
        String value = a.substring(space + 1).strip();
        if (scheme.equals("basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
            int colon = decoded.indexOf(':');
            return colon >= 0 ? same(decoded.substring(0, colon), secret) || same(decoded.substring(colon + 1), secret) : same(decoded, secret);
        }
        return same(value, secret);
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    @Override
    public void close() {
        closed = true;
        if (server != null) ProxyIo.close(server, listen, connections);
    }
}
