package dev.burrow.web;

import dev.burrow.container.ProxyIo;
import dev.burrow.preview.PreviewTunnel;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One preview's port: every request must carry its cookie; each is passed to the container's
 * port through the session's tunnel with Burrow's cookies and tokens taken out, and one request
 * is served per connection (Connection: close), so that every request's head is checked. A
 * WebSocket upgrade (a dev server's hot reload) is carried both ways once answered.
 */
final class PreviewListener {
    private static final Logger LOG = LoggerFactory.getLogger(PreviewListener.class);
    static final int MAX_CONNECTIONS = 64;
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_INTERIM = 8;

    private final String sessionId;
    private final int containerPort;
    private final ServerSocket socket;
    private final PreviewServer server;
    private final String cookieName;
    private final Map<String, Instant> cookies = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;

    PreviewListener(String sessionId, int containerPort, ServerSocket socket, PreviewServer server) {
        this.sessionId = sessionId;
        this.containerPort = containerPort;
        this.socket = socket;
        this.server = server;
        this.cookieName = PreviewServer.COOKIE_PREFIX + socket.getLocalPort();
    }

    String sessionId() {
        return sessionId;
    }

    int port() {
        return socket.getLocalPort();
    }

    void start() {
        Thread.ofVirtual().name("preview-" + port()).start(() -> {
            while (!closed) {
                Socket client;
                try {
                    client = socket.accept();
                } catch (IOException e) {
                    if (closed) return;
                    continue;
                }
                if (open.incrementAndGet() > MAX_CONNECTIONS) {
                    open.decrementAndGet();
                    closeQuietly(client);
                    continue;
                }
                Thread.ofVirtual().start(() -> {
                    try (client) {
                        serve(client);
                    } catch (IOException e) {
                        LOG.debug("preview {}: {}", port(), e.toString());
                    } finally {
                        open.decrementAndGet();
                    }
                });
            }
        });
    }

    private void serve(Socket client) throws IOException {
        InputStream in = new BufferedInputStream(client.getInputStream());
        OutputStream out = client.getOutputStream();
        // The whole head within the deadline, however slowly it trickles in.
        Optional<PreviewHead> parsed = ProxyIo.within(HEAD_TIMEOUT, client, () -> PreviewHead.parse(ProxyIo.readHead(in)));
        if (parsed.isEmpty()) {
            answer(out, 400, "not an HTTP request this preview takes (a line break inside a header, or no whole head)");
            return;
        }
        PreviewHead head = parsed.get();
        String[] request = head.first().split(" ");
        if (request.length != 3 || !request[1].startsWith("/") || !(request[2].equals("HTTP/1.1") || request[2].equals("HTTP/1.0"))) {
            answer(out, 400, "not an HTTP/1 request for a path");
            return;
        }
        // Exactly one Host, naming a name Burrow serves and this preview's own port.
        if (head.all("Host").size() != 1 || !server.serves(head.one("Host").get()) || !head.one("Host").get().endsWith(":" + port())) {
            answer(out, 421, "this preview does not answer to that host");
            return;
        }
        if (request[1].startsWith(PreviewServer.START + "?token=")) {
            start(out, request[1].substring((PreviewServer.START + "?token=").length()));
            return;
        }
        if (!allowed(head)) {
            answer(out, 401, "this preview opens from Burrow: the session's page lists its ports, each with Open");
            return;
        }
        forward(client, in, out, head);
    }

    /** Carries one allowed request to the container's port, Burrow's cookies and tokens taken out, and its answer back, filtered. */
    private void forward(Socket client, InputStream in, OutputStream out, PreviewHead head) throws IOException {
        String[] request = head.first().split(" ");
        boolean websocket = head.upgradesToWebSocket();
        Optional<PreviewHead.Framing> framing = head.framing();
        if (framing.isEmpty()) {
            answer(out, 400, "a request body framed more than one way (Content-Length with Transfer-Encoding, two lengths, or a coding other than chunked)");
            return;
        }
        if (websocket && !framing.get().none()) {
            answer(out, 400, "a WebSocket upgrade carries no body");
            return;
        }
        Optional<PreviewTunnel> tunnel = server.tunnel(sessionId);
        Optional<SocketChannel> upstream = tunnel.isEmpty() ? Optional.empty() : tunnel.get().open(containerPort, OPEN_TIMEOUT);
        if (upstream.isEmpty()) {
            answer(out, 502, "nothing answers on port " + containerPort + " in the session's container (is the session running, and the server up?)");
            return;
        }
        PreviewHead forwarded = head.withoutBurrowsCookies()
                .without(h -> h[0].equalsIgnoreCase("Authorization") && server.isBurrowsBearer(h[1]))
                .with("Host", "localhost:" + containerPort);
        if (!websocket) forwarded = forwarded.without("Keep-Alive").with("Connection", "close");
        client.setSoTimeout(0);
        try (SocketChannel up = upstream.get()) {
            OutputStream toApp = Channels.newOutputStream(up);
            toApp.write(forwarded.bytes());
            toApp.flush();
            // Exactly the body the head announced, and not a byte after it: a second request on this
            // connection would reach the app with no head checked. A WebSocket's frames pass once it is answered.
            Thread body = websocket ? null : Thread.ofVirtual().start(() -> carryBody(framing.get(), in, toApp, up));
            InputStream fromApp = new BufferedInputStream(Channels.newInputStream(up));
            Optional<PreviewHead> answer = PreviewHead.parse(ProxyIo.readHead(fromApp));
            // Interim answers (100, 102, 103) are dropped: the browser sent no Expect, and the final head is the one filtered.
            for (int i = 0; i < MAX_INTERIM && answer.isPresent() && answer.get().status() >= 100 && answer.get().status() < 200
                    && answer.get().status() != 101; i++) {
                answer = PreviewHead.parse(ProxyIo.readHead(fromApp));
            }
            // A 101 only answers a WebSocket upgrade: after any other, a browser reads the next head as the answer, unfiltered.
            if (answer.isEmpty() || answer.get().status() < 101 || (answer.get().status() < 200 && answer.get().status() != 101)
                    || (answer.get().status() == 101 && !websocket)) {
                answer(out, 502, "the program on port " + containerPort + " did not answer with HTTP");
                return;
            }
            PreviewHead filtered = answer.get().withoutCookieTampering();
            // A tunnel only once the app took the upgrade: after any other answer, what the client sends next would be
            // another request, reaching the app unchecked. That answer ends the connection like any other.
            boolean upgraded = websocket && answer.get().status() == 101;
            if (!upgraded) filtered = filtered.with("Connection", "close");
            if (websocket && !upgraded) up.shutdownOutput(); // the app sent no 101: it gets nothing more
            out.write(filtered.bytes());
            out.flush();
            Thread frames = upgraded ? Thread.ofVirtual().start(() -> {
                ProxyIo.pump(in, toApp);
                try {
                    up.shutdownOutput();
                } catch (IOException ignored) {
                    // closed already
                }
            }) : null;
            if (upgraded) {
                ProxyIo.pump(fromApp, out);
            } else {
                carryAnswer(request[0], filtered, fromApp, out);
            }
            if (body != null) body.interrupt();
            if (frames != null) frames.interrupt();
        }
    }

    /**
     * The answer's body as its head framed it, and not a byte after it (a second answer would reach
     * the browser unfiltered): none for HEAD, 204 and 304; a length; chunks, framed anew; else all
     * until the app closes.
     */
    private void carryAnswer(String method, PreviewHead answer, InputStream fromApp, OutputStream out) throws IOException {
        int status = answer.status();
        if (method.equals("HEAD") || status == 204 || status == 304) return;
        Optional<PreviewHead.Framing> framing = answer.framing();
        List<String> lengths = answer.all("Content-Length");
        try {
            if (framing.isPresent() && framing.get().chunked()) {
                dev.burrow.http.Body.forwardChunked(fromApp, out);
            } else if (framing.isPresent() && !lengths.isEmpty()) {
                dev.burrow.http.Body.copy(false, framing.get().length(), fromApp, out);
            } else {
                ProxyIo.pump(fromApp, out);
            }
        } catch (dev.burrow.http.Refusal e) {
            LOG.debug("preview {}: the app's answer broke its framing: {}", port(), e.getMessage());
        }
        out.flush();
    }

    /** The request's body as its head framed it, chunks framed anew; a body that breaks its framing ends the request. */
    private void carryBody(PreviewHead.Framing framing, InputStream in, OutputStream toApp, SocketChannel up) {
        try {
            if (framing.chunked()) {
                dev.burrow.http.Body.forwardChunked(in, toApp);
            } else {
                dev.burrow.http.Body.copy(false, framing.length(), in, toApp);
                toApp.flush();
            }
        } catch (IOException | dev.burrow.http.Refusal e) {
            LOG.debug("preview {}: the request body ended badly: {}", port(), e.toString());
            try {
                up.close(); // the app's answer to half a body is not waited for
            } catch (IOException ignored) {
                // closed either way
            }
        }
    }

    /** The one-time link from Burrow's page: the preview cookie, then the app's root. */
    private void start(OutputStream out, String token) throws IOException {
        Optional<PreviewServer.Grant> g = server.redeem(token);
        if (g.isEmpty() || !g.get().sessionId().equals(sessionId) || g.get().port() != containerPort) {
            answer(out, 401, "this preview link was used or is too old; open the preview again from the session's page");
            return;
        }
        String value = PreviewServer.random();
        cookies.put(value, server.clock().instant().plus(PreviewServer.COOKIE_LIFE));
        String head = "HTTP/1.1 303 See Other\r\nLocation: /\r\nSet-Cookie: " + cookieName + "=" + value + "; Path=/; Max-Age="
                + PreviewServer.COOKIE_LIFE.toSeconds() + "; HttpOnly; SameSite=Lax" + (server.secureCookies() ? "; Secure" : "")
                + "\r\nCache-Control: no-store\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The request carries this preview's cookie, not expired; its use keeps it an hour longer. */
    private boolean allowed(PreviewHead head) {
        Instant now = server.clock().instant();
        cookies.entrySet().removeIf(e -> e.getValue().isBefore(now));
        Optional<String> value = head.cookie(cookieName);
        if (value.isEmpty() || !cookies.containsKey(value.get())) return false;
        cookies.put(value.get(), now.plus(PreviewServer.COOKIE_LIFE));
        return true;
    }

    private static void answer(OutputStream out, int status, String line) throws IOException {
        byte[] body = ("burrow: " + line + "\n").getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 421 -> "Misdirected Request";
            default -> "Bad Gateway";
        };
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
                + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }

    void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }
}
