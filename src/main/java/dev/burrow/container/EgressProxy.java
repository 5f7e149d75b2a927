package dev.burrow.container;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's only way out under the none and allowlist policies: an HTTP proxy on a unix
 * socket in the session's socket dir, which the container reaches through its own
 * 127.0.0.1:3128 (its network is otherwise none). It tunnels CONNECT and forwards plain HTTP
 * to the hosts the policy allows, and answers 403 with the reason for any other. The model API
 * is always allowed; nothing on this machine's loopback is, except a model API that lives there.
 */
public final class EgressProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EgressProxy.class);

    /**
     * What a session may reach.
     *
     * @param endpoints host:port as the container names it, mapped to host:port as Burrow reaches
     *                  it: the model API, always allowed
     */
    public record Rules(NetworkPolicy policy, Allowlist hosts, Map<String, String> endpoints, PrivateAddresses privateAddresses) {
        public Rules {
            Objects.requireNonNull(policy);
            Objects.requireNonNull(hosts);
            endpoints = Map.copyOf(endpoints);
            Objects.requireNonNull(privateAddresses);
        }

        public Rules(NetworkPolicy policy, Allowlist hosts, Map<String, String> endpoints) {
            this(policy, hosts, endpoints, PrivateAddresses.NONE_ALLOWED);
        }

        /** Where to connect for {@code host:port}, or why not (a line starting "refused"). */
        Decision decide(String host, int port) {
            String mapped = endpoints.get(host.toLowerCase(Locale.ROOT) + ":" + port);
            if (mapped != null) {
                int colon = mapped.lastIndexOf(':');
                return new Decision(mapped.substring(0, colon), Integer.parseInt(mapped.substring(colon + 1)), null, true);
            }
            if (policy == NetworkPolicy.NONE) {
                return refusal(host, "this session's network policy is none: only the model API is reachable");
            }
            if (policy == NetworkPolicy.ALLOWLIST && !hosts.allows(host, port)) {
                return refusal(host, hosts.allows(host)
                        ? "port " + port + " is not allowed: listed hosts are reached on 80 and 443, or on a port their entry names (host:port)"
                        : "it is not on this session's allowlist (BURROW_ALLOWED_HOSTS)");
            }
            return new Decision(host, port, null, false);
        }

        private static Decision refusal(String host, String why) {
            return new Decision(null, 0, "burrow refused " + host + ": " + why, false);
        }
    }

    /**
     * Hosts a gateway answers for itself (the git host, with the session's token): a CONNECT to
     * one of them is handed to it, tunnel and all, instead of going out.
     */
    public interface Interceptor {
        boolean intercepts(String host, int port);

        /** Serves the tunnel the container opened to {@code host:port} (its TLS, then its requests) until it ends. */
        void serve(InputStream in, OutputStream out, String host, int port) throws IOException;

        /** The first of {@code gateways} (nulls skipped) that intercepts a host, or null when there are none. */
        static Interceptor firstOf(Interceptor... gateways) {
            java.util.List<Interceptor> all = java.util.Arrays.stream(gateways).filter(Objects::nonNull).toList();
            if (all.isEmpty()) return null;
            return new Interceptor() {
                public boolean intercepts(String host, int port) {
                    return all.stream().anyMatch(i -> i.intercepts(host, port));
                }

                public void serve(InputStream in, OutputStream out, String host, int port) throws IOException {
                    for (Interceptor i : all) {
                        if (i.intercepts(host, port)) {
                            i.serve(in, out, host, port);
                            return;
                        }
                    }
                }
            };
        }
    }

    /** @param endpoint the model API: the one destination that may be on this machine */
    record Decision(String host, int port, String refusal, boolean endpoint) {
    }

    private final String sessionId;
    private final Path listen;
    private final Rules rules;
    private final Interceptor interceptor;
    private final ServerSocketChannel server;
    private volatile boolean closed;
    private volatile ProxyIo.Connections connections;
    /** Connections a gateway answers at once, like the model gateway's own socket. */
    static final int MAX_INTERCEPTED = 64;
    private final java.util.concurrent.Semaphore intercepted = new java.util.concurrent.Semaphore(MAX_INTERCEPTED);

    private EgressProxy(String sessionId, Path listen, Rules rules, Interceptor interceptor, ServerSocketChannel server) {
        this.sessionId = sessionId;
        this.listen = listen;
        this.rules = rules;
        this.interceptor = interceptor;
        this.server = server;
    }

    public static EgressProxy start(String sessionId, Path listen, Rules rules) throws IOException {
        return start(sessionId, listen, rules, null);
    }

    /** {@code interceptor}: null, or the gateway that answers CONNECTs to the hosts it holds a credential for. */
    public static EgressProxy start(String sessionId, Path listen, Rules rules, Interceptor interceptor) throws IOException {
        Objects.requireNonNull(sessionId);
        Objects.requireNonNull(rules);
        ServerSocketChannel server = ProxyIo.listen(listen);
        EgressProxy proxy = new EgressProxy(sessionId, listen, rules, interceptor, server);
        proxy.connections = ProxyIo.acceptOn(server, "egress-proxy-" + sessionId.substring(0, Math.min(8, sessionId.length())), () -> proxy.closed, proxy::serve);
        return proxy;
    }

    private void serve(SocketChannel client) {
        try (client) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(client));
            OutputStream out = Channels.newOutputStream(client);
            byte[] head = ProxyIo.readHead(in);
            if (head == null) return;
            String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] request = lines[0].split(" ");
            if (request.length != 3) {
                answer(out, 400, "Bad Request", "burrow: not an HTTP proxy request");
                return;
            }
            boolean tunnel = request[0].equals("CONNECT");
            String host;
            int port;
            String forwardedLine = null;
            if (tunnel) {
                int colon = request[1].lastIndexOf(':');
                if (colon < 0) {
                    answer(out, 400, "Bad Request", "burrow: CONNECT needs host:port");
                    return;
                }
                host = request[1].substring(0, colon).replace("[", "").replace("]", "");
                port = Integer.parseInt(request[1].substring(colon + 1));
            } else {
                URI u = URI.create(request[1]);
                if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
                    answer(out, 400, "Bad Request", "burrow: the proxy forwards http:// URLs and tunnels the rest with CONNECT");
                    return;
                }
                host = u.getHost();
                port = u.getPort() < 0 ? 80 : u.getPort();
                String path = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                        + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
                forwardedLine = request[0] + " " + path + " " + request[2];
            }
            if (!tunnel && new String(head, StandardCharsets.ISO_8859_1).contains("burrow-session-")) {
                // A placeholder in plain HTTP to a host no gateway answers for: worth nothing there, and sent nowhere.
                answer(out, 403, "Forbidden", "burrow: a session's credentials are only sent to the hosts they belong to, not " + host);
                return;
            }
            Decision d = rules.decide(host, port);
            if (d.refusal() == null && tunnel && interceptor != null && interceptor.intercepts(host, port)) {
                // A host the policy allows, whose credential Burrow holds: the gateway reaches it itself,
                // on a bounded number of connections (each can hold a request to the real host open).
                if (!intercepted.tryAcquire()) {
                    answer(out, 503, "Service Unavailable", "burrow: this session has " + MAX_INTERCEPTED + " connections to its gateways open; close some");
                    return;
                }
                try {
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    interceptor.serve(in, out, host, port);
                } finally {
                    intercepted.release();
                }
                return;
            }
            InetAddress address = null;
            if (d.refusal() == null) {
                try {
                    // Resolved once, here: the address checked is the address connected to.
                    address = InetAddress.getByName(d.host());
                } catch (IOException e) {
                    answer(out, 502, "Bad Gateway", "burrow: cannot resolve " + host + ": " + e.getMessage());
                    return;
                }
                String mine = d.endpoint() ? null : rules.privateAddresses().refusal(address);
                if (mine != null) d = new Decision(null, 0, "burrow refused " + host + ": " + mine, false);
            }
            if (d.refusal() != null) {
                LOG.info("session {}: {}", sessionId.substring(0, Math.min(8, sessionId.length())), d.refusal());
                answer(out, 403, "Forbidden", d.refusal());
                return;
            }
            try (Socket upstream = new Socket()) {
                try {
                    upstream.connect(new InetSocketAddress(address, d.port()), 10_000);
                } catch (IOException e) {
                    answer(out, 502, "Bad Gateway", "burrow: cannot reach " + host + ":" + port + ": " + e.getMessage());
                    return;
                }
                OutputStream toUpstream = upstream.getOutputStream();
                if (tunnel) {
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (rules.policy() == NetworkPolicy.ALLOWLIST && !d.endpoint()) {
                        // TLS must name the listed host it was let through to (SNI), so that a listed
                        // host's address is not a way to another site behind the same front end.
                        TlsClientHello hello = TlsClientHello.read(in);
                        if (hello.tls() && !hello.serverName().map(n -> sameHost(n, host)).orElse(false)) {
                            LOG.info("session {}: burrow refused a TLS connection to {} that asked for {}", sessionId.substring(0, Math.min(8, sessionId.length())),
                                    host, hello.serverName().orElse("no server name"));
                            return; // the tunnel is open already: closing it is the only answer left
                        }
                        toUpstream.write(hello.bytes());
                        toUpstream.flush();
                    }
                } else {
                    StringBuilder sb = new StringBuilder(forwardedLine).append("\r\n");
                    for (int i = 1; i < lines.length; i++) {
                        String h = lines[i].toLowerCase(Locale.ROOT);
                        if (h.startsWith("proxy-") || h.startsWith("connection:")) continue;
                        sb.append(lines[i]).append("\r\n");
                    }
                    // One request per connection: the bytes after it then flow as they are.
                    sb.append("Connection: close\r\n\r\n");
                    toUpstream.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
                    toUpstream.flush();
                }
                ProxyIo.splice(in, out, upstream, toUpstream);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("egress for {} ended: {}", sessionId, e.toString());
        }
    }

    private static boolean sameHost(String a, String b) {
        String x = a.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        String y = b.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        return x.equals(y);
    }

    private static void answer(OutputStream out, int status, String reason, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        ProxyIo.close(server, listen, connections);
    }
}
