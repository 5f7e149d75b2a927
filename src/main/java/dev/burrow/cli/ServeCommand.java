package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.container.Commands;
import dev.burrow.container.ProcessRunner;
import dev.burrow.host.HostSetup;
import dev.burrow.host.Tailscale;
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

@Command(name = "serve", description = "Run the Burrow server (default: only this machine, 127.0.0.1:7070).")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    Options options;

    @Mixin
    ServeOptions listen;

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
        String host = listen.bind != null ? listen.bind : burrow.config().bind();
        List<String> names = new ArrayList<>(listen.hosts);
        String shown = null;
        if (host.equalsIgnoreCase(Tailscale.BIND_WORD)) {
            Tailscale.Address tailnet = new Tailscale(new Commands(ProcessRunner.SYSTEM)).resolve();
            host = tailnet.ip();
            names.addAll(tailnet.names());
            if (!tailnet.names().isEmpty()) shown = tailnet.names().getFirst();
        }
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
            // Pre-started containers for the repositories used lately (BURROW_WARM): a new session claims one.
            burrow.sessions().keepWarm();
            burrow.startPodmanService();
        });
        int p = listen.port != null ? listen.port : burrow.config().port();
        try (WebServer server = WebServer.start(burrow, new WebOptions(host, p, listen.secureCookies, Set.copyOf(listen.trustedProxies), Set.copyOf(names),
                WebOptions.PortRange.parse(listen.previewPorts)))) {
            String authority = host.contains(":") ? "[" + host + "]" : host;
            System.out.println("Burrow is serving http://" + authority + ":" + server.port() + "/"
                    + (shown == null ? "" : " (on your tailnet: http://" + shown + ":" + server.port() + "/)"));
            if (!burrow.auth().passwordSet()) System.out.println("No password is set yet: run ./burrow passwd, then log in.");
            System.out.flush();
            // ./burrow run on this data dir hands its session to this server (its warm containers) through this file.
            String local = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : authority;
            LocalServe announced = new LocalServe("http://" + local + ":" + server.port(), burrow.auth().localToken(), ProcessHandle.current().pid());
            try {
                announced.announce(burrow.config().dataDir());
            } catch (java.io.IOException e) {
                System.err.println("burrow: could not write " + LocalServe.NAME + " (./burrow run starts its sessions itself): " + e.getMessage());
            }
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                try {
                    closed.await(20, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    // halting anyway
                }
            }));
            try {
                stop.await();
            } finally {
                announced.withdraw(burrow.config().dataDir());
            }
        }
    }
}
