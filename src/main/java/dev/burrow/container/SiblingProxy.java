package dev.burrow.container;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A session's door to the host's Podman API: a unix socket that passes every request through
 * to the host user's rootless Podman, except that containers created through it carry the
 * label {@value #LABEL}=SESSION, so Burrow can find them and remove them with the session.
 * Each connection carries one request (Connection: close), then the bytes flow both ways
 * untouched, so attach, exec and log streams work as they do directly.
 */
public final class SiblingProxy implements AutoCloseable {
    public static final String LABEL = "burrow.sibling-of";
    private static final Logger LOG = LoggerFactory.getLogger(SiblingProxy.class);
    // Docker's API (/containers/create) names labels "Labels"; Podman's own (/libpod/...) "labels".
    private static final Pattern CREATE = Pattern.compile("^(/v[\\d.]+)?(/libpod)?/containers/create(\\?.*)?$");
    private static final int MAX_BODY = 16 * 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String sessionId;
    private final Path listen;
    private final Supplier<Optional<Path>> upstream;
    private final ServerSocketChannel server;
    private volatile boolean closed;

    private SiblingProxy(String sessionId, Path listen, Supplier<Optional<Path>> upstream, ServerSocketChannel server) {
        this.sessionId = sessionId;
        this.listen = listen;
        this.upstream = upstream;
        this.server = server;
    }

    /**
     * Listens on {@code listen} (replacing a stale socket there) and forwards to the socket
     * {@code upstream} gives, asked for on the first connection: a session that never runs a
     * container never makes Burrow start a Podman service.
     */
    public static SiblingProxy start(String sessionId, Path listen, Supplier<Optional<Path>> upstream) throws IOException {
        Objects.requireNonNull(sessionId);
        ServerSocketChannel server = ProxyIo.listen(listen);
        SiblingProxy proxy = new SiblingProxy(sessionId, listen, upstream, server);
        ProxyIo.acceptOn(server, "sibling-proxy-" + sessionId.substring(0, Math.min(8, sessionId.length())), () -> proxy.closed, proxy::serve);
        return proxy;
    }

    private void serve(SocketChannel client) {
        Optional<Path> target = upstream.get();
        if (target.isEmpty()) {
            try (client) {
                String why = "no Podman service on the host; ./burrow doctor says why\n";
                Channels.newOutputStream(client).write(("HTTP/1.1 503 Service Unavailable\r\nContent-Length: " + why.length()
                        + "\r\nConnection: close\r\n\r\n" + why).getBytes(StandardCharsets.US_ASCII));
            } catch (IOException ignored) {
                // the client left
            }
            return;
        }
        try (client; SocketChannel host = SocketChannel.open(UnixDomainSocketAddress.of(target.get()))) {
            InputStream fromClient = Channels.newInputStream(client);
            OutputStream toHost = Channels.newOutputStream(host);
            byte[] head = ProxyIo.readHead(fromClient);
            if (head == null) return;
            String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] requestLine = lines[0].split(" ");
            boolean create = requestLine.length >= 2 && requestLine[0].equals("POST") && CREATE.matcher(requestLine[1]).matches();
            long length = -1;
            StringBuilder out = new StringBuilder(lines[0]).append("\r\n");
            for (int i = 1; i < lines.length; i++) {
                String h = lines[i].toLowerCase(Locale.ROOT);
                if (h.startsWith("connection:")) continue;
                if (h.startsWith("content-length:")) {
                    length = Long.parseLong(lines[i].substring(lines[i].indexOf(':') + 1).strip());
                    if (create) continue;
                }
                if (create && h.startsWith("transfer-encoding:")) throw new IOException("chunked container create is not supported");
                out.append(lines[i]).append("\r\n");
            }
            out.append("Connection: close\r\n");
            if (create) {
                if (length < 0 || length > MAX_BODY) throw new IOException("container create without a usable Content-Length");
                byte[] body = labelled(fromClient.readNBytes((int) length), requestLine[1].contains("/libpod/") ? "labels" : "Labels");
                out.append("Content-Length: ").append(body.length).append("\r\n\r\n");
                toHost.write(out.toString().getBytes(StandardCharsets.ISO_8859_1));
                toHost.write(body);
            } else {
                out.append("\r\n");
                toHost.write(out.toString().getBytes(StandardCharsets.ISO_8859_1));
            }
            toHost.flush();
            // From here the bytes flow both ways as they are: the rest of the request, the response, any stream.
            Thread up = Thread.ofVirtual().start(() -> ProxyIo.pump(fromClient, toHost));
            ProxyIo.pump(Channels.newInputStream(host), Channels.newOutputStream(client));
            up.interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.debug("sibling proxy request for {} ended: {}", sessionId, e.toString());
        }
    }

    private byte[] labelled(byte[] body, String field) throws IOException {
        JsonNode node = JSON.readTree(body);
        if (!(node instanceof ObjectNode o)) throw new IOException("container create body is not a JSON object");
        ObjectNode labels = o.get(field) instanceof ObjectNode l ? l : o.putObject(field);
        labels.put(LABEL, sessionId);
        return JSON.writeValueAsBytes(o);
    }

    @Override
    public void close() {
        closed = true;
        ProxyIo.close(server, listen);
    }
}
