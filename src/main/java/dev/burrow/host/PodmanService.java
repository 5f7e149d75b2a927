package dev.burrow.host;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host user's rootless Podman API socket, which sessions use to run containers of their
 * own. The user's socket (systemd's podman.socket) when it answers; else Burrow starts
 * `podman system service` itself and stops it on close. Never a rootful one: under root
 * there is none.
 */
public final class PodmanService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodmanService.class);

    private final Map<String, String> env;
    private final Path runtimeDir;
    private boolean tried;
    private Path socket;
    private Process started;

    /** {@code runtimeDir}: where Burrow keeps sockets (short paths: a socket path has at most 107 bytes). */
    public PodmanService(Map<String, String> env, Path runtimeDir) {
        this.env = Map.copyOf(env);
        this.runtimeDir = runtimeDir;
    }

    /** A short directory for this user's sockets: $XDG_RUNTIME_DIR/burrow, else /tmp/burrow-UID. */
    public static Path runtimeDir(Map<String, String> env) {
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "burrow");
        try {
            return Path.of("/tmp", "burrow-" + Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return Path.of("/tmp", "burrow-" + System.getProperty("user.name"));
        }
    }

    public Path runtimeDir() {
        return runtimeDir;
    }

    /** Whether sessions get a Podman socket at all (not under root), known without starting anything. */
    public boolean available() {
        return !HostSetup.isRoot();
    }

    /**
     * The socket, found or started on first use; empty when sessions cannot have one (root,
     * or the service did not start).
     */
    public synchronized Optional<Path> socket() {
        if (socket != null && !answers(socket)) {
            // The service went away (killed, crashed, the user's stopped): found or started again for this use.
            LOG.warn("the Podman service at {} stopped answering; starting it again", socket);
            stopStarted();
            socket = null;
            tried = false;
        }
        if (!tried || socket == null && System.nanoTime() - lastTry > RETRY_NANOS) {
            tried = true;
            lastTry = System.nanoTime();
            find();
        }
        return Optional.ofNullable(socket);
    }

    /** The socket when a service answers there already (found or started before); never starts one. */
    public synchronized Optional<Path> ifRunning() {
        return socket != null && answers(socket) ? Optional.of(socket) : Optional.empty();
    }

    // A service that did not start is tried again after this long, not at every request.
    private static final long RETRY_NANOS = 10_000_000_000L;
    private long lastTry;

    /** Who runs the service, for the doctor. */
    public synchronized String describe() {
        socket();
        if (socket == null) return HostSetup.isRoot() ? "none under root (never a rootful socket)" : "none: podman system service did not start";
        return socket + (started != null ? " (podman system service, started by Burrow)" : " (the user's podman.socket)");
    }

    private void find() {
        if (HostSetup.isRoot()) return;
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            Path user = Path.of(xdg, "podman", "podman.sock");
            if (answers(user)) {
                socket = user;
                return;
            }
        }
        Path own = runtimeDir.resolve("podman.sock");
        if (answers(own)) {
            // Another Burrow process (the server, say) runs it: share it, and leave stopping it to that one.
            socket = own;
            return;
        }
        try {
            Files.createDirectories(runtimeDir);
            Files.deleteIfExists(own);
            ProcessBuilder pb = new ProcessBuilder(List.of("podman", "system", "service", "--time=0", "unix://" + own))
                    .redirectErrorStream(true).redirectOutput(runtimeDir.resolve("podman-service.log").toFile());
            // The service answers sessions' requests, and Podman fills a container's bare "NAME" environment entries
            // from its own environment: it gets none of Burrow's (keys, tokens, the password), only what it needs to run.
            serviceEnvironment(pb.environment());
            // Its working dir, an empty one of Burrow's: Podman opens some client-named paths relative to it.
            pb.directory(Files.createDirectories(runtimeDir.resolve("podman-service-cwd")).toFile());
            Process p = pb.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline && p.isAlive()) {
                if (answers(own)) {
                    socket = own;
                    started = p;
                    return;
                }
                Thread.sleep(50);
            }
            p.destroy();
            LOG.warn("podman system service did not start; sessions cannot run containers (see {})", runtimeDir.resolve("podman-service.log"));
        } catch (IOException e) {
            LOG.warn("cannot start podman system service: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean answers(Path socket) {
        if (!Files.exists(socket)) return false;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the service if Burrow started it; the user's own is left alone. */
    @Override
    public synchronized void close() {
        stopStarted();
    }

    private void stopStarted() {
        if (started == null) return;
        started.descendants().forEach(ProcessHandle::destroy);
        started.destroy();
        started = null;
    }

    /** Keeps only what Podman needs of the environment: where things are, who the user is, the locale, Podman's own settings. */
    static void serviceEnvironment(java.util.Map<String, String> env) {
        env.keySet().removeIf(name -> !(java.util.Set.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME",
                "XDG_DATA_HOME", "DBUS_SESSION_BUS_ADDRESS").contains(name) || name.startsWith("LC_") || name.startsWith("CONTAINERS_")));
    }
}
