package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burrow.Burrow;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionState;
import dev.burrow.web.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The session's shell over a WebSocket: a real PTY running podman exec and tmux in the container. */
class TerminalIT {
    @TempDir
    Path tmp;
    ScriptedModel model;
    Burrow burrow;
    WebServer server;
    String token;
    Session session;

    /** Collects what the terminal prints, and how it closed. */
    static final class Screen implements WebSocket.Listener {
        final StringBuffer text = new StringBuffer();
        final CompletableFuture<String> closed = new CompletableFuture<>();

        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            text.append(new String(b, StandardCharsets.UTF_8));
            ws.request(1);
            return null;
        }

        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            closed.complete(status + " " + reason);
            return null;
        }
    }

    @RegisterExtension
    final LiveBurrow live = LiveBurrow.serving();

    @BeforeEach
    void start() throws Exception {
        model = live.model;
        burrow = live.burrow;
        server = live.server;
        burrow.auth().setPassword("terminal test password");
        token = burrow.auth().createToken("terminal");
        session = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo")).toString(), null, "hello"), p -> { });
        Eventually.state(burrow, session.id(), SessionState.IDLE, Duration.ofSeconds(90));
    }

    WebSocket connect(Screen screen, String query, String... headers) throws Exception {
        return connect(server, session, screen, query, headers);
    }

    static WebSocket connect(WebServer server, Session session, Screen screen, String query, String... headers) throws Exception {
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return b.buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/api/sessions/" + session.id() + "/terminal" + query), screen)
                .get(30, TimeUnit.SECONDS);
    }

    static void type(WebSocket ws, String keys) {
        ws.sendBinary(ByteBuffer.wrap(keys.getBytes(StandardCharsets.UTF_8)), true).join();
    }

    @Test
    void aCommandTypedIntoTheShellRunsInTheWorkspaceAndResizesReachIt() throws Exception {
        Screen screen = new Screen();
        WebSocket ws = connect(screen, "?window=shell&cols=100&rows=30", "Authorization", "Bearer " + token);
        type(ws, "echo marker-$((40+2)) $(pwd)\r");
        Eventually.await(Duration.ofSeconds(30), "the command's output", () -> screen.text.toString().contains("marker-42 /workspace"));
        type(ws, "stty size\r");
        Eventually.await(Duration.ofSeconds(30), "stty size 30 100", () -> screen.text.toString().contains("30 100"));
        ws.sendText("{\"cols\":120,\"rows\":40}", true).join();
        Thread.sleep(300);
        type(ws, "stty size\r");
        Eventually.await(Duration.ofSeconds(30), "stty size 40 120", () -> screen.text.toString().contains("40 120"));

        // A second viewer sees the same terminal; closing both leaves tmux running, and
        // reattaching redraws the screen with what was there.
        Screen second = new Screen();
        WebSocket ws2 = connect(second, "?window=shell", "Authorization", "Bearer " + token);
        type(ws2, "echo from-second-viewer\r");
        Eventually.await(Duration.ofSeconds(30), "both viewers", () -> screen.text.toString().contains("from-second-viewer")
                && second.text.toString().contains("from-second-viewer"));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        ws2.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        String container = burrow.sessions().get(session.id()).containerId();
        Eventually.await(Duration.ofSeconds(10), "the PTY to be reaped", () -> server.openTerminals() == 0);
        assertThat(TestEnv.podman("exec", container, "tmux", "ls")).contains("shell");
        Screen again = new Screen();
        connect(again, "?window=shell", "Authorization", "Bearer " + token);
        Eventually.await(Duration.ofSeconds(30), "the redrawn screen", () -> again.text.toString().contains("from-second-viewer"));
    }

    @Test
    void unauthenticatedOrCrossOriginUpgradesAreRefusedAndAStoppedSessionSaysWhy() throws Exception {
        assertThatThrownBy(() -> connect(new Screen(), "?window=shell")).rootCause().hasMessageContaining("401");
        var login = new WebClient("http://127.0.0.1:" + server.port());
        login.login("terminal test password");
        assertThatThrownBy(() -> connect(new Screen(), "?window=shell", "Cookie", login.cookie, "Origin", "http://evil.example"))
                .rootCause().hasMessageContaining("403");
        burrow.sessions().stop(session.id());
        Screen screen = new Screen();
        connect(screen, "?window=shell", "Authorization", "Bearer " + token);
        assertThat(screen.closed.get(10, TimeUnit.SECONDS)).startsWith("4409").contains("stopped");
    }
}
