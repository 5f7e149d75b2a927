package dev.burrow.container;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's way to a model endpoint on this machine's loopback (a local gateway): a unix
 * socket in a Burrow-private dir, mounted into the container, whose every connection is carried
 * to that one address and nowhere else. runner/burrow-egress listens on the same port on the
 * container's own loopback and carries each connection here. So the container never needs
 * the host's loopback opened to it (slirp4netns' allow_host_loopback), which would expose
 * every loopback service of the host, Burrow's own port included.
 */
public final class ModelForwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelForwarder.class);

    private final Path listen;
    private final InetSocketAddress target;
    private final ServerSocketChannel server;
    private volatile boolean closed;

    private ModelForwarder(Path listen, InetSocketAddress target, ServerSocketChannel server) {
        this.listen = listen;
        this.target = target;
        this.server = server;
    }

    /** Listens on {@code listen} and carries each connection to {@code host:port}. */
    public static ModelForwarder start(String sessionId, Path listen, String host, int port) throws IOException {
        Objects.requireNonNull(sessionId);
        ModelForwarder f = new ModelForwarder(listen, new InetSocketAddress(host, port), ProxyIo.listen(listen));
        ProxyIo.acceptOn(f.server, "model-forwarder-" + sessionId.substring(0, Math.min(8, sessionId.length())), () -> f.closed, f::carry);
        return f;
    }

    private void carry(SocketChannel client) {
        try (client; Socket upstream = new Socket()) {
            OutputStream out = Channels.newOutputStream(client);
            try {
                upstream.connect(target, 10_000);
            } catch (IOException e) {
                LOG.info("the model endpoint {} cannot be reached: {}", target, e.toString());
                return; // the client sees the connection close, as it would with a direct connection refused
            }
            ProxyIo.splice(Channels.newInputStream(client), out, upstream, upstream.getOutputStream());
        } catch (IOException | RuntimeException e) {
            LOG.debug("model forwarding ended: {}", e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        ProxyIo.close(server, listen);
    }
}
