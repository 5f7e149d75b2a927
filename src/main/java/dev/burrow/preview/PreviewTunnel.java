package dev.burrow.preview;

import dev.burrow.container.ProxyIo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's end of a session's way to the ports its programs listen on, without publishing
 * any: Burrow listens on a socket in the session's net dir ({@code /run/burrow-net/preview.sock}
 * in the container) and {@code runner/burrow-preview} in the container connects to it. This
 * class owns that protocol; {@code PreviewTunnelTest} holds the runner's script to it.
 *
 * <p>Every connection starts with one line: {@code burrow-preview 1 control}, the forwarder's
 * standing connection, on which Burrow writes {@code open ID PORT} and the forwarder reports
 * {@code ports P1 P2 ...} (what listens in the container, as it changes); or
 * {@code burrow-preview 1 data ID ok|refused}, the forwarder's answer to one open: after
 * {@code ok} the connection carries the bytes of a connection to that port.
 *
 * <p>Burrow never connects to a path the container can write: the container connects to
 * Burrow. What it says is the agent's to forge: ports are numbers it may list (at most
 * {@link #MAX_PORTS}), and a data connection is taken only for an open Burrow asked for, by an
 * id the forwarder was told.
 */
public final class PreviewTunnel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PreviewTunnel.class);
    static final String HELLO = "burrow-preview 1 ";
    static final int MAX_LINE = 512;
    static final int MAX_PORTS = 32;
    static final int MAX_PENDING = 64;
    static final Duration FIRST_LINE = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String sessionId;
    private final Path listen;
    private final ServerSocketChannel server;
    private final Map<String, CompletableFuture<SocketChannel>> pending = new ConcurrentHashMap<>();
    private volatile SocketChannel control;
    private volatile List<Integer> ports = List.of();
    private volatile boolean closed;
    private ProxyIo.Connections connections;

    private PreviewTunnel(String sessionId, Path listen, ServerSocketChannel server) {
        this.sessionId = sessionId;
        this.listen = listen;
        this.server = server;
    }

    public static PreviewTunnel start(String sessionId, Path listen) throws IOException {
        PreviewTunnel t = new PreviewTunnel(Objects.requireNonNull(sessionId), listen, ProxyIo.listen(listen));
        t.connections = ProxyIo.acceptOn(t.server, "preview-" + sessionId.substring(0, Math.min(8, sessionId.length())), () -> t.closed, t::serve,
                MAX_PENDING + 2);
        return t;
    }

    public String sessionId() {
        return sessionId;
    }

    /** The ports programs in the container listen on, as its forwarder last said (sorted, at most {@link #MAX_PORTS}). */
    public List<Integer> ports() {
        return ports;
    }

    /**
     * A connection to {@code port} in the container, through its forwarder; empty when the
     * forwarder is not connected, nothing listens there, or it did not answer in time.
     */
    public Optional<SocketChannel> open(int port, Duration timeout) throws IOException {
        if (port < 1 || port > 65535) throw new IllegalArgumentException("no port " + port);
        SocketChannel c = control;
        if (c == null || closed || pending.size() >= MAX_PENDING) return Optional.empty();
        byte[] raw = new byte[16];
        RANDOM.nextBytes(raw);
        String id = HexFormat.of().formatHex(raw);
        CompletableFuture<SocketChannel> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            synchronized (this) {
                Channels.newOutputStream(c).write(("open " + id + " " + port + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            return Optional.ofNullable(answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (java.util.concurrent.ExecutionException e) {
            return Optional.empty();
        } finally {
            pending.remove(id);
            // An answer that came after the wait: nobody takes it.
            if (!answer.isDone()) answer.cancel(false);
        }
    }

    private void serve(SocketChannel client) {
        try {
            InputStream in = Channels.newInputStream(client);
            String first = ProxyIo.within(FIRST_LINE, client, () -> line(in));
            if (first == null || !first.startsWith(HELLO)) return;
            String[] words = first.substring(HELLO.length()).split(" ");
            if (words.length == 1 && words[0].equals("control")) {
                control(client, in);
            } else if (words.length == 3 && words[0].equals("data")) {
                CompletableFuture<SocketChannel> waiting = pending.get(words[1]);
                if (waiting == null) return;
                if (!words[2].equals("ok")) {
                    waiting.complete(null);
                    return;
                }
                if (waiting.complete(client)) {
                    // The caller owns it now; this thread waits until it is closed, so the accept loop's count stays true.
                    while (client.isOpen() && !closed) Thread.sleep(200);
                }
            }
        } catch (IOException | InterruptedException e) {
            LOG.debug("session {}: a preview connection ended: {}", sessionId, e.toString());
        }
    }

    private void control(SocketChannel client, InputStream in) throws IOException {
        SocketChannel before = control;
        control = client;
        if (before != null) before.close(); // a forwarder started again replaces the old one
        try {
            for (String l; (l = line(in)) != null && !closed; ) {
                if (l.startsWith("ports")) ports = parsePorts(l);
            }
        } finally {
            if (control == client) {
                control = null;
                ports = List.of();
            }
        }
    }

    static List<Integer> parsePorts(String line) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String w : line.substring("ports".length()).strip().split(" +")) {
            if (!w.matches("\\d{1,5}")) continue;
            int p = Integer.parseInt(w);
            if (p >= 1 && p <= 65535) out.add(p);
            if (out.size() >= MAX_PORTS) break;
        }
        return List.copyOf(out);
    }

    /** One line, without its end; null at the end of the stream or for a line over {@link #MAX_LINE} bytes. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') return b.toString(StandardCharsets.US_ASCII);
            if (b.size() >= MAX_LINE) return null;
            b.write(c);
        }
        return null;
    }

    /** Writes to a data connection (used by the preview proxy). */
    public static OutputStream out(SocketChannel c) {
        return Channels.newOutputStream(c);
    }

    @Override
    public void close() {
        closed = true;
        ProxyIo.close(server, listen, connections);
        pending.values().forEach(f -> f.complete(null));
    }
}
