package dev.burrow.siblings;

import dev.burrow.http.RequestHead;
import dev.burrow.http.StatusLine;
import dev.burrow.http.Body;
import dev.burrow.http.Refusal;

import dev.burrow.container.ProxyIo;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's Podman socket: a unix socket in a Burrow-private dir, mounted into the session,
 * in front of the host user's rootless Podman. It is a deny-by-default filter
 * ({@link SiblingGate}): one strictly framed request per connection, checked, then written
 * upstream as Burrow composes it; the answer (and for attach and exec, the stream both ways)
 * flows back. A request refused answers in the APIs' own error format, one line that
 * {@code podman} and {@code docker} print.
 */
public final class SiblingSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SiblingSocket.class);
    /** Headers of the client's that Burrow passes on; the framing ones it writes itself. */
    private static final Set<String> PASSED = Set.of("content-type", "x-registry-auth", "x-registry-config", "user-agent", "accept");

    private static final java.time.Duration HEAD_DEADLINE = java.time.Duration.ofSeconds(30);

    private final SessionBox box;
    private final Path listen;
    private final Supplier<Optional<Path>> upstream;
    private final ServerSocketChannel server;
    private volatile boolean closed;
    private volatile ProxyIo.Connections connections;
    private final java.util.concurrent.Semaphore builds = new java.util.concurrent.Semaphore(2);

    private SiblingSocket(SessionBox box, Path listen, Supplier<Optional<Path>> upstream, ServerSocketChannel server) {
        this.box = box;
        this.listen = listen;
        this.upstream = upstream;
        this.server = server;
    }

    /**
     * Listens on {@code listen}; {@code upstream} gives the host's Podman socket, asked for on
     * the first connection: a session that never runs a container never starts a Podman service.
     */
    public static SiblingSocket start(SessionBox box, Path listen, Supplier<Optional<Path>> upstream) throws IOException {
        ServerSocketChannel server = ProxyIo.listen(listen);
        SiblingSocket socket = new SiblingSocket(box, listen, upstream, server);
        String id = box.sessionId();
        socket.connections = ProxyIo.acceptOn(server, "podman-socket-" + id.substring(0, Math.min(8, id.length())), () -> socket.closed, socket::serve);
        return socket;
    }

    private void serve(SocketChannel client) {
        try (client) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(client));
            OutputStream out = Channels.newOutputStream(client);
            Optional<Path> target = upstream.get();
            if (target.isEmpty()) {
                answer(out, 503, error(503, "burrow: no Podman service on the host; ./burrow doctor says why"));
                return;
            }
            try {
                // A client that never finishes its head does not hold the connection for ever.
                Optional<RequestHead> head = ProxyIo.within(HEAD_DEADLINE, client, () -> RequestHead.read(in));
                if (head.isEmpty()) return;
                Decision d;
                try {
                    d = new SiblingGate(box, new PodmanApi(target.get()), builds).decide(head.get(), Target.parse(head.get().target()), in);
                } catch (IOException e) {
                    // Nothing was answered yet: the client gets a line, not a dropped connection.
                    answer(out, 502, error(502, "burrow: the host's Podman service did not answer (" + e.getMessage() + "); try again"));
                    return;
                }
                switch (d) {
                    case Decision.Answer a -> answer(out, a.status(), a.json());
                    case Decision.Forward f -> {
                        try {
                            forward(head.get(), f, in, out, target.get());
                        } finally {
                            if (f.context() != null) f.context().close();
                        }
                    }
                }
            } catch (Refusal r) {
                // A name the client looks for and does not find is routine (podman run --rm asks after removing); a refusal is not.
                if (r.status == 404) LOG.debug("session {}: Podman socket: {}", box.sessionId(), r.getMessage());
                else LOG.info("session {}: Podman socket refused a request: {}", box.sessionId(), r.getMessage());
                answer(out, r.status, error(r.status, r.getMessage()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Podman socket request of {} ended: {}", box.sessionId(), e.toString());
        }
    }

    /** How long an answer may go on after its client's side ended (tests shorten it). */
    static volatile java.time.Duration goneGrace = java.time.Duration.ofSeconds(30);

    private static void forward(RequestHead head, Decision.Forward f, InputStream in, OutputStream out, Path podman) throws IOException, Refusal {
        SocketChannel connected;
        try {
            connected = SocketChannel.open(UnixDomainSocketAddress.of(podman));
        } catch (IOException e) {
            answer(out, 502, error(502, "burrow: the host's Podman service did not answer (" + e.getMessage() + "); try again"));
            return;
        }
        try (SocketChannel up = connected) {
            OutputStream toPodman = Channels.newOutputStream(up);
            StringBuilder h = new StringBuilder(head.method()).append(' ').append(f.target()).append(" HTTP/1.1\r\nHost: d\r\n");
            for (RequestHead.Header x : head.headers()) {
                if (PASSED.contains(x.name().toLowerCase(java.util.Locale.ROOT))) h.append(x.name()).append(": ").append(x.value()).append("\r\n");
            }
            // Docker's clients ask to upgrade an attach or exec (and then expect 101); Podman's just
            // take the stream over. Either way the connection is to close after one answer: a
            // Podman that does not take the stream over (a detached exec) never reads a second request.
            if (f.hijack() && "tcp".equalsIgnoreCase(head.header("Upgrade"))) h.append("Upgrade: tcp\r\n");
            h.append("Connection: close\r\n");
            if (f.context() != null) {
                try (InputStream spooled = f.context().open()) {
                    h.append("Content-Length: ").append(f.context().size()).append("\r\n\r\n");
                    toPodman.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
                    spooled.transferTo(toPodman);
                }
            } else if (f.body() != null) {
                h.append("Content-Length: ").append(f.body().length).append("\r\n\r\n");
                toPodman.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
                toPodman.write(f.body());
            } else if (head.chunked()) {
                h.append("Transfer-Encoding: chunked\r\n\r\n");
                toPodman.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
                Body.forwardChunked(head, in, toPodman);
            } else {
                h.append("Content-Length: ").append(Math.max(0, head.length())).append("\r\n\r\n");
                toPodman.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
                Body.copy(head, in, toPodman);
            }
            toPodman.flush();
            InputStream fromPodman = Channels.newInputStream(up);
            // Only a stream Podman took over carries the client's input on (the answer says so:
            // 101, or 200 without a framed body); anything else the client sends after its
            // request, a pipelined second one, is never read.
            Thread stdin = null;
            if (f.hijack()) {
                byte[] answerHead = ProxyIo.readHead(fromPodman);
                if (answerHead == null) return;
                out.write(answerHead);
                out.write("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (tookOver(new String(answerHead, StandardCharsets.ISO_8859_1))) {
                    stdin = Thread.ofVirtual().start(() -> {
                        ProxyIo.pump(in, toPodman);
                        try {
                            up.shutdownOutput();
                        } catch (IOException ignored) {
                            // gone already
                        }
                    });
                }
            }
            if (stdin == null) {
                // Nothing more of the client's is read (a pipelined request never is), but its going away is noticed:
                // a quiet stream (events, logs -f, wait) would otherwise hold both connections open for ever. A client
                // that only ended its half (shutdown) still gets its answer within the grace.
                stdin = Thread.ofVirtual().start(() -> {
                    try {
                        while (in.read() >= 0) {
                            // dropped
                        }
                    } catch (IOException gone) {
                        // the client's side ended
                    }
                    try {
                        Thread.sleep(goneGrace);
                        up.close();
                    } catch (InterruptedException answered) {
                        // the answer ended first
                    } catch (IOException ignored) {
                        // closed already
                    }
                });
            }
            ProxyIo.pump(fromPodman, out);
            stdin.interrupt();
        }
    }

    /** Whether Podman's answer head says it took the connection over as a raw stream. */
    static boolean tookOver(String answerHead) {
        String[] lines = answerHead.split("\r\n");
        String status = lines[0].length() >= 12 ? lines[0].substring(9, 12) : "";
        if (status.equals("101")) return true;
        if (!status.equals("200")) return false;
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].toLowerCase(java.util.Locale.ROOT);
            if (l.startsWith("content-length:") || l.startsWith("transfer-encoding:")) return false;
        }
        return true;
    }

    private static void answer(OutputStream out, int status, byte[] json) throws IOException {
        String head = "HTTP/1.1 " + status + " " + StatusLine.reason(status) + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length
                + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(json);
        out.flush();
    }

    /** The error body both APIs' clients read: Docker's {@code message}, Podman's {@code cause} and {@code response} too. */
    static byte[] error(int status, String message) {
        return Fields.JSON.writeValueAsBytes(Fields.JSON.createObjectNode().put("cause", message).put("message", message).put("response", status));
    }


    @Override
    public void close() {
        closed = true;
        ProxyIo.close(server, listen, connections);
    }
}
