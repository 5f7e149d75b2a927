package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.host.HostSetup;
import dev.burrow.web.WebOptions;
import dev.burrow.web.WebServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", description = "Run the Burrow server (default: only this machine, 127.0.0.1:7070).")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    Options options;

    @Option(names = "--bind", description = "Address to listen on (default 127.0.0.1; anything else is reachable from other machines).")
    String bind;

    @Option(names = "--port", description = "Port (default 7070; 0 picks a free one).")
    Integer port;

    @Option(names = "--secure-cookies", description = "Mark the login cookie Secure even on plain HTTP (when a TLS proxy sits in front).")
    boolean secureCookies;

    @Option(names = "--trusted-proxy", paramLabel = "ADDR", description = "A proxy whose X-Forwarded-For is believed (such as 127.0.0.1 for tailscale serve); repeatable.")
    List<String> trustedProxies = new ArrayList<>();

    @Option(names = "--host", paramLabel = "NAME", description = "Another name this server answers to (a proxy's or a DNS name of this machine); repeatable. "
            + "Requests naming any host it does not serve get 421.")
    List<String> hosts = new ArrayList<>();

    static final Duration RECONCILE_PERIOD = Duration.ofSeconds(10);

    @Override
    public Integer call() throws InterruptedException {
        options.refuseRoot("serve");
        HostSetup.ensurePodman(Options::progress);
        // On SIGTERM the JVM halts once its shutdown hooks return: the hook waits until the
        // server and the engine are closed (sockets gone, a Podman service Burrow started stopped).
        CountDownLatch closed = new CountDownLatch(1);
        try (Burrow burrow = options.start()) {
            serve(burrow, closed);
        } finally {
            closed.countDown();
        }
        return 0;
    }

    private void serve(Burrow burrow, CountDownLatch closed) throws InterruptedException {
        // Serving starts at once; the runner image (minutes on a fresh machine) is built beside it,
        // and until it is, pages say how far it is and new sessions wait for it.
        Thread.ofVirtual().name("runner-image").start(() -> {
            try {
                burrow.sessions().ensureRunnerImage(Options::progress);
            } catch (RuntimeException e) {
                System.err.println("burrow: " + e.getMessage() + " (Burrow serves on; pages say so; fix it and restart)");
                return;
            }
            burrow.sessions().reconcile(true);
            // Sessions whose CLI went away (or whose container died unseen) are taken over while the server runs.
            burrow.sessions().reconcileEvery(RECONCILE_PERIOD);
        });
        String host = bind != null ? bind : burrow.config().bind();
        int p = port != null ? port : burrow.config().port();
        try (WebServer server = WebServer.start(burrow, new WebOptions(host, p, secureCookies, Set.copyOf(trustedProxies), Set.copyOf(hosts)))) {
            System.out.println("Burrow is serving http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port() + "/");
            if (!burrow.auth().passwordSet()) System.out.println("No password is set yet: run ./burrow passwd, then log in.");
            System.out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                try {
                    closed.await(20, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    // halting anyway
                }
            }));
            stop.await();
        }
    }
}
