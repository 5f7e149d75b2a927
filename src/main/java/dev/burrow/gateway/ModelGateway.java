package dev.burrow.gateway;

import dev.burrow.container.EgressProxy;
import dev.burrow.container.ProxyIo;
import dev.burrow.http.BodyStream;
import dev.burrow.http.Refusal;
import dev.burrow.http.RequestHead;
import dev.burrow.http.StatusLine;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's model API, as its container sees it: plain HTTP on a unix socket in the
 * session's net dir (runner/burrow-egress carries the container's 127.0.0.1:{@value #CONTAINER_PORT}
 * to it, and ANTHROPIC_BASE_URL points there). The container holds only the session's
 * placeholder; here it is swapped for the real credential, and the request goes on to the
 * real model API (Anthropic's, or the ANTHROPIC_BASE_URL Burrow was given) over HTTPS or
 * HTTP. The answer streams back as it arrives, and its usage is read on the way
 * ({@link UsageMeter}).
 *
 * <p>The model API's own host (api.anthropic.com, or an HTTPS ANTHROPIC_BASE_URL without a
 * path) is also answered here when the container asks its egress proxy for it: with a leaf of
 * Burrow's CA, then the same rules, so a tool in the box that calls the API by its name (an SDK,
 * curl) gets the real credential put on too, and nothing but model requests ever carry it.
 * Requests there that carry no placeholder go on bare, as the tunnel they replace would have.
 *
 * <p>Requests run one after another on each connection (HTTP/1.1 keep-alive), each
 * connection on a virtual thread of its own; nothing is shared between them but the
 * immutable setup and the thread-safe HTTP client.
 */
public final class ModelGateway implements EgressProxy.Interceptor, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelGateway.class);
    /** Where the container's Claude Code finds its model API: http://127.0.0.1:PORT. */
    public static final int CONTAINER_PORT = 3129;
    private static final int MAX_BODY = 64 * 1024 * 1024;
    private static final String ANTHROPIC_API = "api.anthropic.com";
    // A client that opens a tunnel and never says hello does not hold it for long.
    private static final java.time.Duration HANDSHAKE_TIMEOUT = java.time.Duration.ofSeconds(15);
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("x-api-key", "authorization");
    // The only requests the real credential goes on: the model's. Not the rest of what a key or a
    // login can do (files uploaded elsewhere, batches, the account's profile and settings).
    private static final java.util.regex.Pattern MODEL_PATHS = java.util.regex.Pattern.compile("/v1/(messages|messages/count_tokens|models|models/[A-Za-z0-9][A-Za-z0-9._@:-]*)");

    /** Where a session's model requests go, and with what. */
    public record Route(URI upstream, String placeholder, Supplier<UpstreamCredential> credential) {
        public Route {
            Objects.requireNonNull(upstream);
            Objects.requireNonNull(placeholder);
            Objects.requireNonNull(credential);
            if (!"http".equalsIgnoreCase(upstream.getScheme()) && !"https".equalsIgnoreCase(upstream.getScheme())) {
                throw new IllegalArgumentException("the model API's URL must be http:// or https://, not " + upstream);
            }
        }

        URI resolve(String target) {
            String base = upstream.toString().replaceAll("/+$", "");
            return URI.create(base + target);
        }
    }

    private final String sessionId;
    private final Path listen;
    private final Route route;
    private final HttpClient http;
    private final Consumer<ModelExchange> observer;
    private final Supplier<ServerTls> tls;
    private final ServerSocketChannel server;
    private volatile boolean closed;
    private volatile ProxyIo.Connections connections;

    private ModelGateway(String sessionId, Path listen, Route route, HttpClient http, Consumer<ModelExchange> observer, Supplier<ServerTls> tls,
                         ServerSocketChannel server) {
        this.sessionId = sessionId;
        this.tls = tls;
        this.listen = listen;
        this.route = route;
        this.http = http;
        this.observer = observer;
        this.server = server;
    }

    /** Listens on {@code listen}; {@code observer} hears of every model answer that passed (on the connection's thread). */
    public static ModelGateway start(String sessionId, Path listen, Route route, HttpClient http, Consumer<ModelExchange> observer) throws IOException {
        return start(sessionId, listen, route, http, observer, null);
    }

    /** {@code tls}: Burrow's side of TLS toward the container, for {@link #serve(InputStream, OutputStream, String, int)}; null for none. */
    public static ModelGateway start(String sessionId, Path listen, Route route, HttpClient http, Consumer<ModelExchange> observer, Supplier<ServerTls> tls)
            throws IOException {
        ModelGateway g = new ModelGateway(Objects.requireNonNull(sessionId), listen, Objects.requireNonNull(route), Objects.requireNonNull(http),
                Objects.requireNonNull(observer), tls, ProxyIo.listen(listen));
        g.connections = ProxyIo.acceptOn(g.server, "model-gateway-" + sessionId.substring(0, Math.min(8, sessionId.length())), () -> g.closed, g::serve, 64);
        return g;
    }

    private void serve(SocketChannel client) {
        try (client) {
            requests(Channels.newInputStream(client), Channels.newOutputStream(client), false);
        } catch (IOException | RuntimeException e) {
            LOG.debug("session {}: a model connection ended: {}", sessionId, e.toString());
        }
    }

    /** Serves one connection's requests, one after another, until it ends or one cannot be followed by another. */
    private void requests(InputStream rawIn, OutputStream rawOut, boolean byName) throws IOException {
        InputStream in = new BufferedInputStream(rawIn);
        OutputStream out = new BufferedOutputStream(rawOut, 16 * 1024);
        while (!closed) {
            Optional<RequestHead> head;
            try {
                head = RequestHead.read(in);
            } catch (Refusal r) {
                error(out, r.status, r.getMessage(), true);
                return;
            }
            if (head.isEmpty() || !exchange(head.get(), in, out, byName)) return;
        }
    }

    /** The host and port the container names the model API by, when it is an HTTPS origin without a path; else null. */
    public static String interceptedAuthority(URI upstream) {
        if (!"https".equalsIgnoreCase(upstream.getScheme()) || upstream.getHost() == null) return null;
        String path = upstream.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/") || upstream.getRawQuery() != null) return null;
        return upstream.getHost().toLowerCase(Locale.ROOT) + ":" + (upstream.getPort() < 0 ? 443 : upstream.getPort());
    }

    @Override
    public boolean intercepts(String host, int port) {
        String authority = interceptedAuthority(route.upstream());
        return tls != null && authority != null && authority.equals(host.toLowerCase(Locale.ROOT) + ":" + port);
    }

    /** A connection the container opened to the model API's host through its egress proxy: Burrow's TLS, then the same requests as on the socket. */
    @Override
    public void serve(InputStream rawIn, OutputStream rawOut, String host, int port) throws IOException {
        TlsServerStream t = new TlsServerStream(tls.get().forHost(host.toLowerCase(Locale.ROOT)), rawIn, rawOut);
        try {
            t.handshake(HANDSHAKE_TIMEOUT);
            requests(t.in(), t.out(), true);
        } catch (IOException | RuntimeException e) {
            LOG.debug("session {}: a model connection by name ended: {}", sessionId, e.toString());
        } finally {
            t.close();
        }
    }

    /**
     * One request and its answer; false when the connection ends after it. {@code byName}: it came
     * by the API's host name through the egress proxy, where the host is reachable anyway.
     */
    private boolean exchange(RequestHead head, InputStream in, OutputStream out, boolean byName) throws IOException {
        boolean close = "close".equalsIgnoreCase(head.header("Connection"));
        // Only the model's own requests pass, with Burrow's credential or without: the session's way to the
        // model API is no way to the rest of what is behind it (a LiteLLM's admin routes, files, batches).
        // By name to Anthropic's own API, a request with nothing of Burrow's on it goes on bare: the tunnel it replaces
        // would have taken it there. Not to another upstream: a gateway of the user's (on this machine, the LAN) may
        // trust its callers, and its other routes are no business of the session's.
        String path = head.target().contains("?") ? head.target().substring(0, head.target().indexOf('?')) : head.target();
        boolean modelRequest = MODEL_PATHS.matcher(path).matches() && (head.method().equals("POST") || head.method().equals("GET") || head.method().equals("HEAD"));
        boolean bareMayPass = byName && ANTHROPIC_API.equalsIgnoreCase(route.upstream().getHost());
        if (!modelRequest && (!bareMayPass || head.headers().stream().anyMatch(h -> (h.name() + ":" + h.value()).contains(Placeholders.PREFIX)))) {
            error(out, 403, "burrow: a session's model gateway passes model requests only (/v1/messages, /v1/models), not " + head.method() + " " + path,
                    true);
            return false;
        }
        if (decoded(head.target()).contains(Placeholders.PREFIX)) {
            error(out, 403, "burrow: a session's credentials are only sent to the hosts they belong to, not in a model request's address", true);
            return false;
        }
        if (head.length() > MAX_BODY) {
            error(out, 413, "burrow: a model request over 64 MiB", true);
            return false;
        }
        if (count(head, "authorization") > 1 || count(head, "x-api-key") > 1) {
            error(out, 400, "burrow: one Authorization and one x-api-key header at most", true);
            return false;
        }
        // The body is passed on as it arrives, never held whole: a session cannot fill Burrow's memory with requests.
        BodyStream body = new BodyStream(head, in);
        HttpRequest.BodyPublisher publisher = !head.hasBody() ? HttpRequest.BodyPublishers.noBody()
                : head.chunked() ? HttpRequest.BodyPublishers.ofInputStream(() -> new Capped(body, MAX_BODY))
                : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), head.length());
        HttpRequest.Builder req = HttpRequest.newBuilder(route.resolve(head.target())).method(head.method(), publisher);
        if ("http".equalsIgnoreCase(route.upstream().getScheme())) req.version(HttpClient.Version.HTTP_1_1);
        boolean placeholder = false;
        for (RequestHead.Header h : head.headers()) {
            String name = h.name().toLowerCase(Locale.ROOT);
            if (CREDENTIAL_HEADERS.contains(name) && isPlaceholder(h.value())) {
                placeholder = true;
            } else if ((h.name() + ":" + h.value()).contains(Placeholders.PREFIX)) {
                // Another of Burrow's placeholders (the session's GitHub one, another session's): never sent on.
                error(out, 403, "burrow: a session's credentials are only sent to the hosts they belong to; this one is not for the model API", true);
                return false;
            }
        }
        for (RequestHead.Header h : head.headers()) {
            String name = h.name().toLowerCase(Locale.ROOT);
            // This hop's own headers, and Accept-Encoding (the answer is read for its usage, so it comes unencoded).
            if (Answers.HOP.contains(name) || Answers.notForwarded(name)) continue;
            // With the placeholder presented, the real credential replaces every credential header.
            if (placeholder && CREDENTIAL_HEADERS.contains(name)) continue;
            req.header(h.name(), h.value());
        }
        if (placeholder) {
            UpstreamCredential real = route.credential().get();
            if (real instanceof UpstreamCredential.Unavailable u) {
                error(out, 401, "burrow: " + u.reason(), true);
                return false;
            }
            req.setHeader(real.header(), real.value());
        }
        HttpResponse<InputStream> answer;
        try {
            answer = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            if (body.overran()) {
                error(out, 413, "burrow: a model request over 64 MiB", true);
                return false;
            }
            LOG.info("session {}: the model API at {} cannot be reached: {}", sessionId, route.upstream().getHost(), e.toString());
            error(out, 502, "burrow: the model API at " + route.upstream().getHost() + " cannot be reached: " + e.getMessage(), true);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        relay(head, answer, out, close);
        // An answer that came before the whole request did leaves the rest unread: the connection cannot go on.
        return !close && body.finished();
    }

    /** The target with its %XX escapes decoded (bytes as Latin-1), as a server behind would read it. */
    private static String decoded(String target) {
        StringBuilder sb = new StringBuilder(target.length());
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '%' && i + 2 < target.length() && Character.digit(target.charAt(i + 1), 16) >= 0 && Character.digit(target.charAt(i + 2), 16) >= 0) {
                sb.append((char) Integer.parseInt(target.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static long count(RequestHead head, String name) {
        return head.headers().stream().filter(h -> h.name().equalsIgnoreCase(name)).count();
    }

    private boolean isPlaceholder(String value) {
        String v = value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).strip() : value.strip();
        return java.security.MessageDigest.isEqual(v.getBytes(StandardCharsets.UTF_8), route.placeholder().getBytes(StandardCharsets.UTF_8));
    }

    /** The answer passed on, its usage read on the way. */
    private void relay(RequestHead head, HttpResponse<InputStream> answer, OutputStream out, boolean close) throws IOException {
        String type = answer.headers().firstValue("content-type").orElse("");
        if (answer.statusCode() / 100 != 2) {
            Answers.relay(head.method(), answer, out, close, null);
            return;
        }
        UsageMeter meter = new UsageMeter(type.startsWith("text/event-stream"));
        Answers.relay(head.method(), answer, out, close, new Answers.Tap() {
            public void bytes(byte[] b, int off, int len) {
                meter.accept(b, off, len);
            }

            public void complete() {
                meter.result().ifPresent(ModelGateway.this::observe);
            }
        });
    }

    private void observe(ModelExchange e) {
        try {
            observer.accept(e);
        } catch (RuntimeException ex) {
            LOG.warn("session {}: the model's usage could not be recorded: {}", sessionId, ex.toString());
        }
    }

    /** An answer of the gateway's own, in the Messages API's error format, so Claude Code shows its message. */
    private static void error(OutputStream out, int status, String message, boolean close) throws IOException {
        String type = switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 413 -> "request_too_large";
            default -> "api_error";
        };
        String json = "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":" + jsonString(message) + "}}";
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        out.write((StatusLine.of(status) + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                + "\r\nx-should-retry: false\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(b);
        out.flush();
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }


    /** A chunked body cut off past its bound: the request then fails, and the client is told why. */
    private static final class Capped extends java.io.FilterInputStream {
        private final BodyStream body;
        private final long max;
        private long read;

        Capped(BodyStream body, long max) {
            super(body);
            this.body = body;
            this.max = max;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (read += n) > max) {
                body.overrun();
                throw new IOException("a model request over 64 MiB");
            }
            return n;
        }
    }

    @Override
    public void close() {
        closed = true;
        ProxyIo.close(server, listen, connections);
    }
}
