package dev.burrow.container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the per-session proxies on unix sockets share: listening, reading a request head, pumping bytes. */
public final class ProxyIo {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyIo.class);
    static final int MAX_HEAD = 64 * 1024;
    /** The most connections one of a session's doors serves at once. */
    public static final int MAX_CONNECTIONS = 256;

    private ProxyIo() {
    }

    /** Listens on {@code path} (replacing a stale socket there), owner-only. */
    public static ServerSocketChannel listen(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        return server;
    }

    /** The connections a server is serving now: closed with it, so a door that closes leaves no conversation open behind it. */
    public static final class Connections {
        private final java.util.Set<SocketChannel> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

        void closeAll() {
            for (SocketChannel c : open) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // gone already
                }
            }
        }
    }

    /** Serves each connection on a virtual thread of its own until the server is closed; at most {@link #MAX_CONNECTIONS} at once. */
    public static Connections acceptOn(ServerSocketChannel server, String name, BooleanSupplier closed, Consumer<SocketChannel> serve) {
        return acceptOn(server, name, closed, serve, MAX_CONNECTIONS);
    }

    /**
     * Serves each connection on a virtual thread of its own until the server is closed. A
     * connection past {@code max} open ones is closed at once: a session's doors hold a
     * bounded share of Burrow's file descriptors and threads, however many it opens. An
     * accept that fails (out of descriptors) is tried again after a pause, never given up.
     */
    public static Connections acceptOn(ServerSocketChannel server, String name, BooleanSupplier closed, Consumer<SocketChannel> serve, int max) {
        Connections connections = new Connections();
        Thread.ofVirtual().name(name).start(() -> {
            boolean warned = false;
            while (!closed.getAsBoolean()) {
                SocketChannel client;
                try {
                    client = server.accept();
                } catch (java.nio.channels.ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    if (closed.getAsBoolean()) return;
                    LOG.warn("{} could not accept a connection ({}); trying again", name, e.toString());
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException ie) {
                        return;
                    }
                    continue;
                }
                if (connections.open.size() >= max) {
                    if (!warned) LOG.warn("{}: {} connections are open, its most; further ones are closed at once", name, max);
                    warned = true;
                    try {
                        client.close();
                    } catch (IOException ignored) {
                        // closed either way
                    }
                    continue;
                }
                connections.open.add(client);
                Thread.ofVirtual().start(() -> {
                    try {
                        serve.accept(client);
                    } finally {
                        connections.open.remove(client);
                        try {
                            client.close();
                        } catch (IOException ignored) {
                            // closed either way
                        }
                    }
                });
            }
        });
        return connections;
    }

    /** Closes the server, its socket file and every connection it is serving. */
    public static void close(ServerSocketChannel server, Path path, Connections connections) {
        close(server, path);
        if (connections != null) connections.closeAll();
    }

    public static void close(ServerSocketChannel server, Path path) {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.debug("closing {}: {}", path, e.toString());
        }
    }

    /** A read that may block on a peer (and may refuse what it reads with an exception of its own). */
    public interface Read<T, E extends Exception> {
        T get() throws IOException, E;
    }

    /**
     * Runs {@code read} (a head or a first line from a peer), closing {@code connection} if it has
     * not returned within {@code limit}: a peer that never finishes, or trickles a byte at a time,
     * does not hold the connection for ever.
     */
    public static <T, E extends Exception> T within(java.time.Duration limit, java.io.Closeable connection, Read<T, E> read) throws IOException, E {
        Thread deadline = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(limit);
                connection.close();
            } catch (InterruptedException | IOException done) {
                // the read ended in time
            }
        });
        try {
            return read.get();
        } finally {
            deadline.interrupt();
        }
    }

    /** The request line and headers, without the blank line that ends them; null when the client sent no whole head. */
    public static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == 4) return Arrays.copyOf(head.toByteArray(), head.size() - 4);
            if (head.size() > MAX_HEAD) throw new IOException("request head over 64 KiB");
        }
        return null;
    }

    /**
     * Carries bytes both ways between a client and an upstream socket until the upstream closes:
     * the client's side on a virtual thread of its own, which shuts the upstream's output when
     * the client is done sending.
     */
    static void splice(InputStream fromClient, OutputStream toClient, Socket upstream, OutputStream toUpstream) throws IOException {
        Thread up = Thread.ofVirtual().start(() -> {
            pump(fromClient, toUpstream);
            try {
                upstream.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        });
        pump(upstream.getInputStream(), toClient);
        up.interrupt();
    }

    /** Copies until either side closes. */
    public static void pump(InputStream in, OutputStream out) {
        byte[] buf = new byte[64 * 1024];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed: the other follows
        }
    }
}
