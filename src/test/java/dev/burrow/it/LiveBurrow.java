package dev.burrow.it;

import dev.burrow.Burrow;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.web.WebOptions;
import dev.burrow.web.WebServer;
import dev.burrow.workspace.Workspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Burrow for one test: the scripted model, Burrow on a scratch data dir and, when asked
 * for, the web server on a random loopback port. After the test its live sessions are stopped
 * (their containers removed) and everything is closed and deleted.
 */
final class LiveBurrow implements BeforeEachCallback, AfterEachCallback {
    private final Set<String> trustedProxies;
    private final boolean serve;
    private final boolean warm;
    private Path dir;
    ScriptedModel model;
    Burrow burrow;
    WebServer server;

    private LiveBurrow(boolean serve, Set<String> trustedProxies) {
        this(serve, trustedProxies, false);
    }

    private LiveBurrow(boolean serve, Set<String> trustedProxies, boolean warm) {
        this.warm = warm;
        this.serve = serve;
        this.trustedProxies = trustedProxies;
    }

    /** The engine alone. */
    static LiveBurrow engine() {
        return new LiveBurrow(false, Set.of());
    }

    /** The engine alone, keeping one warm container for each repository and policy its sessions use (BURROW_WARM=1), as the server does. */
    static LiveBurrow warm() {
        return new LiveBurrow(false, Set.of(), true);
    }

    /** The engine and the web server, trusting these proxies' X-Forwarded-* headers. */
    static LiveBurrow serving(String... trustedProxies) {
        return new LiveBurrow(true, Set.of(trustedProxies));
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("burrow-it-");
        model = new ScriptedModel();
        if (warm) {
            TestEnv.requireContainers();
            burrow = Burrow.start(TestEnv.config(dataDir(), model).withWarm(1));
            burrow.sessions().keepWarm();
        } else {
            burrow = TestEnv.burrow(dataDir(), model);
        }
        if (serve) server = WebServer.start(burrow, new WebOptions("127.0.0.1", 0, false, trustedProxies));
    }

    /** Burrow's data dir in this test. */
    Path dataDir() {
        return dir.resolve("data");
    }

    /** http://127.0.0.1:PORT */
    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (burrow != null) TestEnv.stopLive(burrow);
        } finally {
            if (server != null) server.close();
            if (burrow != null) burrow.close();
            if (model != null) model.close();
            Workspaces.deleteQuietly(dir);
        }
    }
}
