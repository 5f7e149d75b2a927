package dev.burrow.it;

import dev.burrow.Burrow;
import dev.burrow.session.Session;
import dev.burrow.session.SessionManager;
import dev.burrow.session.SessionState;
import dev.burrow.web.WebOptions;
import dev.burrow.web.WebServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** Many sessions asked for at once: answered at once, started a few at a time, none half-made. */
class ManySessionsIT {
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    @RegisterExtension
    final LiveBurrow live = LiveBurrow.engine();

    @Test
    void aBurstOfCreatesIsAnsweredAtOnceQueuedAndEveryOneReachesIdle() throws Exception {
        // Two starts at a time, six asked for at once: four must wait their turn, and say so.
        try (Burrow b = Burrow.start(TestEnv.config(tmp.resolve("data"), live.model).withMaxStarts(2));
             WebServer server = WebServer.start(b, new WebOptions("127.0.0.1", 0, false, Set.of()))) {
            b.auth().setPassword(WebApiIT.PASSWORD);
            WebClient client = new WebClient("http://127.0.0.1:" + server.port());
            client.login(WebApiIT.PASSWORD);
            List<String> reasons = new CopyOnWriteArrayList<>();
            Runnable unsubscribe = b.sessions().subscribe(new SessionManager.Listener() {
                @Override
                public void onEvent(dev.burrow.store.StoredEvent event) {
                }

                @Override
                public void onState(Session s) {
                    if (s.state() == SessionState.CREATING && s.reason() != null) reasons.add(s.reason());
                }
            });
            Path repo = TestEnv.repo(tmp.resolve("repo"));
            List<Thread> posts = new ArrayList<>();
            var ids = new ConcurrentHashMap<String, Long>();
            for (int i = 0; i < 6; i++) {
                posts.add(Thread.ofVirtual().start(() -> {
                    try {
                        long t0 = System.nanoTime();
                        WebClient.Response r = client.post("/api/sessions", "{\"repo\":\"" + repo + "\",\"prompt\":\"hello\"}");
                        assertThat(r.status()).as(r.body()).isEqualTo(201);
                        assertThat(JSON.readTree(r.body()).path("state").asString()).isEqualTo("creating");
                        ids.put(JSON.readTree(r.body()).path("id").asString(), (System.nanoTime() - t0) / 1_000_000);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (Thread t : posts) t.join(60_000);
            assertThat(ids).hasSize(6);
            // Answered before the start: a create is a check and a row, not a container.
            assertThat(ids.values()).allSatisfy(ms -> assertThat(ms).isLessThan(5_000));
            for (String id : ids.keySet()) Eventually.state(b, id, SessionState.IDLE, Duration.ofMinutes(3));
            unsubscribe.run();
            assertThat(reasons).anyMatch(r -> r.startsWith("waiting to start")).contains("starting container");
            for (String id : ids.keySet()) {
                String container = b.sessions().get(id).containerId();
                assertThat(TestEnv.podman("inspect", "--format", "{{.State.Running}}", container)).isEqualTo("true");
                b.sessions().delete(id);
            }
            for (String id : ids.keySet()) {
                assertThat(TestEnv.podman("ps", "-a", "--filter", "label=burrow.session=" + id, "--format", "{{.ID}}")).isBlank();
            }
        }
    }

    @Test
    void aCreateThatFailsInTheBackgroundLeavesTheSessionFailedWithTheReasonAndNoContainer() throws Exception {
        try (WebServer server = WebServer.start(live.burrow, new WebOptions("127.0.0.1", 0, false, Set.of()))) {
            live.burrow.auth().setPassword(WebApiIT.PASSWORD);
            WebClient client = new WebClient("http://127.0.0.1:" + server.port());
            client.login(WebApiIT.PASSWORD);
            // Nothing here answers for that host: the clone fails while the container starts beside it.
            WebClient.Response r = client.post("/api/sessions", "{\"repo\":\"https://git.burrow.invalid/nobody/nothing.git\",\"prompt\":\"hello\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            String id = JSON.readTree(r.body()).path("id").asString();
            Eventually.state(live.burrow, id, SessionState.FAILED, Duration.ofSeconds(90));
            Session failed = live.burrow.sessions().get(id);
            assertThat(failed.reason()).startsWith("could not start: ").contains("git.burrow.invalid");
            assertThat(live.burrow.sessions().events(id, 0)).anySatisfy(e -> assertThat(e.event().json()).contains("could not start"));
            // Nothing half-made: no container (the one started beside the clone is removed), no half a workspace.
            assertThat(TestEnv.podman("ps", "-a", "--filter", "label=burrow.session=" + id, "--format", "{{.ID}}")).isBlank();
            assertThat(Files.exists(failed.workspace())).isFalse();
            assertThat(client.post("/api/sessions/" + id + "/resume", null).body()).contains("workspace");
        }
    }
}
