package dev.burrow.bench;

import dev.burrow.Burrow;
import dev.burrow.config.Config;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionState;
import dev.burrow.web.WebOptions;
import dev.burrow.web.WebServer;
import dev.burrow.workspace.Workspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the server-side benchmarks measure against: the real server on a loopback port with an
 * API token, and one real session (container, Claude Code, scripted model) that finished its
 * first turn. Everything lives in a scratch dir that closing removes.
 */
final class BenchServer implements AutoCloseable {
    final Burrow burrow;
    final WebServer server;
    final String token;
    final Session session;
    private final Path tmp;
    private final ScriptedModel model;

    private BenchServer(Path tmp, ScriptedModel model, Burrow burrow, WebServer server, String token, Session session) {
        this.tmp = tmp;
        this.model = model;
        this.burrow = burrow;
        this.server = server;
        this.token = token;
        this.session = session;
    }

    static BenchServer start(Config base, String name) throws Exception {
        Path tmp = Files.createTempDirectory("burrow-bench-" + name + "-");
        ScriptedModel model = new ScriptedModel();
        Burrow burrow = null;
        WebServer server = null;
        try {
            Path repo = BenchRepo.create(tmp.resolve("repo"));
            burrow = Burrow.start(BenchRepo.config(base, tmp.resolve("data"), model, Duration.ofMinutes(10)));
            server = WebServer.start(burrow, new WebOptions("127.0.0.1", 0, false, Set.of()));
            burrow.auth().setPassword("bench password");
            String token = burrow.auth().createToken("bench");
            Session s = burrow.sessions().create(new NewSession(repo.toString(), null, "say hello"), p -> { });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (burrow.sessions().get(s.id()).state() != SessionState.IDLE && System.nanoTime() < deadline) Thread.sleep(50);
            return new BenchServer(tmp, model, burrow, server, token, burrow.sessions().get(s.id()));
        } catch (Exception | Error e) {
            if (server != null) server.close();
            if (burrow != null) burrow.close();
            model.close();
            Workspaces.deleteQuietly(tmp);
            throw e;
        }
    }

    /** The URL of a path on the server, for http or ws. */
    String url(String scheme, String path) {
        return scheme + "://127.0.0.1:" + server.port() + path;
    }

    /** The value below which the fraction {@code p} of the sorted values lie. */
    static long percentile(java.util.List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(sorted.size() * p) - 1)));
    }

    @Override
    public void close() {
        try {
            burrow.sessions().stop(session.id());
        } catch (RuntimeException e) {
            // already stopped
        }
        server.close();
        burrow.close();
        model.close();
        Workspaces.deleteQuietly(tmp);
    }
}
