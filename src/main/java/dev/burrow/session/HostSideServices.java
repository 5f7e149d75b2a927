package dev.burrow.session;

import dev.burrow.config.Config;
import dev.burrow.container.EgressProxy;
import dev.burrow.container.SiblingProxy;
import dev.burrow.host.PodmanService;
import dev.burrow.workspace.Workspaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services on the host side of a session's container, which the process following the
 * session holds open: the Podman socket (containers of its own), the egress proxy (its only
 * network under the none and allowlist policies) and the upkeep of its Claude login. Their sockets live in
 * short per-session dirs under Burrow's runtime dir: a socket path may not be longer than 107 bytes.
 */
final class HostSideServices {
    private static final Logger LOG = LoggerFactory.getLogger(HostSideServices.class);

    private final Config config;
    private final PodmanService podman;
    private final SessionCredentials credentials;

    HostSideServices(Config config, PodmanService podman, SessionCredentials credentials) {
        this.config = Objects.requireNonNull(config);
        this.podman = Objects.requireNonNull(podman);
        this.credentials = Objects.requireNonNull(credentials);
    }

    /**
     * The host dir holding the session's Podman socket (mounted at /run/podman), or null: no
     * Podman service, or a network policy that a sibling container's network would get around.
     */
    Path podmanDir(Session s) {
        // Decided without starting the service: that happens beside the session's start, not before it.
        if (!podman.available() || s.network().proxied()) return null;
        return created(podmanDirOf(s));
    }

    /** The host dir holding the session's egress proxy socket (mounted at /run/burrow-net), or null under the full policy. */
    Path netDir(Session s) {
        return s.network().proxied() ? created(netDirOf(s)) : null;
    }

    /** Opens the doors while this process follows the session; they close with the following. */
    void open(Session s, LiveSession l) {
        if (podmanDir(s) != null) {
            try {
                // The Podman service is found or started when the session first uses the socket, not before.
                l.attach(SiblingProxy.start(s.id(), podmanDirOf(s).resolve("podman.sock"), podman::socket));
            } catch (IOException e) {
                LOG.warn("session {} cannot run containers: {}", s.shortId(), e.toString());
            }
        }
        if (s.network().proxied()) {
            try {
                l.attach(EgressProxy.start(s.id(), netDirOf(s).resolve("egress.sock"), AgentLaunch.egressRules(s, config)));
            } catch (IOException e) {
                LOG.warn("session {} has no network: its egress proxy did not start: {}", s.shortId(), e.toString());
            }
        }
        try {
            l.attach(credentials.keep(s));
        } catch (RuntimeException e) {
            LOG.warn("session {}: its Claude login cannot be kept current: {}", s.shortId(), e.getMessage());
        }
    }

    /** Removes the session's socket dirs (the session is deleted). */
    void remove(Session s) {
        Workspaces.deleteQuietly(podmanDirOf(s));
        Workspaces.deleteQuietly(netDirOf(s));
    }

    private Path podmanDirOf(Session s) {
        return podman.runtimeDir().resolve(s.shortId());
    }

    private Path netDirOf(Session s) {
        return podman.runtimeDir().resolve(s.shortId() + "-net");
    }

    private static Path created(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
