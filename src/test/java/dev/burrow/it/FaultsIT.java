package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.Burrow;
import dev.burrow.agent.AgentEvent;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionState;
import dev.burrow.store.StoredEvent;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Faults under load, end to end: the server killed outright in the middle of several turns,
 * and the database held by another process. Nothing hangs, nothing is lost, nothing doubles.
 */
class FaultsIT {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String PASSWORD = "faults-password-1";

    @TempDir
    Path tmp;
    ScriptedModel model;
    Burrow burrow;
    Process server;

    @BeforeEach
    void start() throws Exception {
        TestEnv.requireContainers();
        model = new ScriptedModel();
    }

    @AfterEach
    void stop() throws Exception {
        if (burrow != null) {
            TestEnv.stopLive(burrow);
            burrow.close();
        }
        if (server != null) server.destroyForcibly().waitFor();
        model.close();
    }

    @Test
    void aSecondProcessHoldingTheDatabasesWriteLockForFiveSecondsLosesNoEvent() throws Exception {
        burrow = TestEnv.burrow(tmp.resolve("data"), model);
        Session s = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo")).toString(), null, "first"), p -> { });
        Eventually.idle(burrow, s.id());
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("data/burrow.db"));
             Statement st = other.createStatement()) {
            // Another process takes the write lock; the turn runs (and prints) while it is held.
            st.execute("BEGIN IMMEDIATE");
            CompletableFuture<Session> sent = CompletableFuture.supplyAsync(() -> burrow.sessions().send(s.id(), "BASH: echo while-locked"));
            Thread.sleep(5_000);
            assertThat(sent).as("the message waits for the lock").isNotDone();
            st.execute("ROLLBACK");
            sent.get();
        }
        Eventually.await(Duration.ofSeconds(120), "the second turn to end", () -> burrow.sessions().events(s.id(), 0).stream()
                .filter(e -> e.event() instanceof AgentEvent.TurnResult).count() == 2 && burrow.sessions().get(s.id()).state() == SessionState.IDLE);
        List<StoredEvent> events = burrow.sessions().events(s.id(), 0);
        assertWhole(events.stream().map(StoredEvent::seq).toList(), events.stream().map(e -> e.event().json()).toList());
        assertThat(events.toString()).contains("while-locked");
    }

    @Test
    void aServerKilledWithSigkillInTheMiddleOfSeveralTurnsComesBackWithEverySessionWhole() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("ANTHROPIC_BASE_URL", model.baseUrl(), "ANTHROPIC_API_KEY", "faults-key",
                "BURROW_DATA_DIR", tmp.resolve("data").toString(), "BURROW_GIT_NAME", "Faults Test", "BURROW_GIT_EMAIL", "faults@burrow.invalid",
                "BURROW_CACHE_SCOPE", "global", "BURROW_IDLE_TIMEOUT", "600"));
        Process passwd = BurrowProcess.builder(env, "passwd", "--stdin").redirectErrorStream(true).start();
        passwd.getOutputStream().write((PASSWORD + "\n").getBytes(StandardCharsets.UTF_8));
        passwd.getOutputStream().close();
        passwd.getInputStream().readAllBytes();
        assertThat(passwd.waitFor()).isZero();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        WebClient web = serve(env, port, "serve-1.log");
        model.slowChunkMillis(150);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String repo = TestEnv.repo(tmp.resolve("repo-" + i)).toString();
            WebClient.Response r = web.post("/api/sessions", JSON.writeValueAsString(Map.of("repo", repo, "prompt", "SLOW story " + i)));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            ids.add(JSON.readTree(r.body()).path("id").asString());
        }
        Eventually.await(Duration.ofSeconds(180), "every slow answer to be streaming",
                () -> LongStream.range(0, 4).allMatch(i -> model.sawText("SLOW story " + i)));
        Thread.sleep(1_000); // well inside the answers (40 chunks at 150 ms)
        server.destroyForcibly(); // SIGKILL: no shutdown hook, no close, nothing flushed on the way out
        assertThat(server.waitFor()).isEqualTo(137);

        web = serve(env, port, "serve-2.log");
        WebClient client = web;
        Eventually.await(Duration.ofSeconds(180), "every session to be idle again", () -> {
            for (String id : ids) {
                if (!"idle".equals(JSON.readTree(client.get("/api/sessions/" + id).body()).path("state").asString())) return false;
            }
            return true;
        });
        for (String id : ids) {
            JsonNode events = JSON.readTree(web.get("/api/sessions/" + id + "/events").body());
            List<Long> seqs = new ArrayList<>();
            List<String> stored = new ArrayList<>();
            int results = 0;
            for (JsonNode e : events) {
                seqs.add(e.path("seq").asLong());
                stored.add(e.path("event").toString());
                if ("result".equals(e.path("type").asString())) results++;
            }
            assertWhole(seqs, stored);
            assertThat(results).as("session %s: one turn, one result", id).isEqualTo(1);
            assertThat(stored.toString()).contains("This answer streams slowly.");
        }
        // And each goes on: a next turn in one of them.
        assertThat(web.post("/api/sessions/" + ids.getFirst() + "/messages", "{\"text\":\"after the kill\"}").status()).isEqualTo(202);
        Eventually.await(Duration.ofSeconds(120), "the next turn", () -> client.get("/api/sessions/" + ids.getFirst() + "/events").body()
                .contains(ScriptedModel.REPLY_PREFIX + "after the kill"));
        for (String id : ids) web.post("/api/sessions/" + id + "/stop", null);
        server.destroy();
        server.waitFor();
        server = null;
    }

    @Test
    void aFullDiskDuringATurnStopsTheSessionSayingWhyKeepsTheDatabaseWholeAndTheSessionGoesOnOnceThereIsRoom() throws Exception {
        // The data dir on a small filesystem of its own, which ./burrow test prepares as root.
        String small = System.getenv("BURROW_TEST_SMALL_FS");
        assertThat(small).as("the full-disk test needs the small filesystem that ./burrow test prepares when run as root (BURROW_TEST_SMALL_FS)")
                .isNotBlank();
        Path fs = Path.of(small);
        var store = Files.getFileStore(fs);
        assertThat(store.getTotalSpace()).as("a small filesystem, not this machine's disk").isLessThan(1L << 30);
        assertThat(store).isNotEqualTo(Files.getFileStore(tmp));
        System.out.println("The full-disk test runs on " + System.getenv("BURROW_TEST_SMALL_FS_KIND") + " at " + fs);
        Path data = fs.resolve("faults-" + java.util.UUID.randomUUID());
        try {
            var config = TestEnv.config(data, model).withMinFree(48L << 20);
            burrow = Burrow.start(config);
            burrow.sessions().reconcileEvery(Duration.ofSeconds(1)); // as the server does (every few seconds)
            Session s = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo")).toString(), null, "first"), p -> { });
            Eventually.idle(burrow, s.id());
            // The agent fills the disk to the last byte, and goes on with its turn.
            burrow.sessions().send(s.id(), "BASH: dd if=/dev/zero of=/workspace/fill bs=1M count=2048 2>&1 | tail -1; sleep 60; echo after-the-fill");
            Session stopped = Eventually.state(burrow, s.id(), SessionState.STOPPED, Duration.ofSeconds(120));
            System.out.println("Stopped for the disk: " + stopped.reason());
            assertThat(stopped.reason()).contains("MB free").contains("free some space, then resume");
            assertThat(burrow.sessions().events(s.id(), 0).toString()).contains("MB free");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("burrow.db"));
                 Statement st = c.createStatement(); var rs = st.executeQuery("PRAGMA integrity_check")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            // Until there is room, the session cannot go on, and says why.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> burrow.sessions().send(s.id(), "too soon")).hasMessageContaining("free some space");
            Files.delete(stopped.workspace().resolve("fill"));
            burrow.sessions().send(s.id(), "after the room");
            Eventually.await(Duration.ofSeconds(120), "the turn after the room", () -> burrow.sessions().events(s.id(), 0).toString()
                    .contains(ScriptedModel.REPLY_PREFIX + "after the room") && burrow.sessions().get(s.id()).state() == SessionState.IDLE);
            List<StoredEvent> events = burrow.sessions().events(s.id(), 0);
            assertWhole(events.stream().map(StoredEvent::seq).toList(), events.stream().map(e -> e.event().json()).toList());
            TestEnv.stopLive(burrow);
            burrow.sessions().delete(s.id());
        } finally {
            if (burrow != null) {
                burrow.close();
                burrow = null;
            }
            dev.burrow.workspace.Workspaces.deleteQuietly(data);
        }
    }

    @Test
    void thePodmanServiceKilledUnderARunningSiblingComesBackForTheNextUse() throws Exception {
        burrow = TestEnv.burrow(tmp.resolve("data"), model);
        String script = """
                I=%s
                podman run -d --name faults-sib $I sleep 600 > /dev/null && echo sibling-started
                (podman wait faults-sib > /tmp/wait.out 2>&1; echo "wait-ended $?" >> /tmp/wait.out) &
                sleep 1; touch /workspace/.sibling-started
                for i in $(seq 1 120); do [ -f /workspace/.service-killed ] && break; sleep 0.5; done
                sleep 2; cat /tmp/wait.out
                podman ps --format '{{.Names}}' | grep faults-sib
                podman run --rm $I echo after-the-restart
                podman rm -f -t 0 faults-sib > /dev/null && echo sibling-removed
                for i in $(seq 1 40); do grep -q wait-ended /tmp/wait.out && break; sleep 0.5; done; cat /tmp/wait.out
                """.formatted(burrow.sessions().runnerImage());
        String b64 = java.util.Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
        Session s = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo")).toString(), null,
                "BASH: echo " + b64 + " | base64 -d | bash 2>&1"), p -> { });
        Eventually.await(Duration.ofSeconds(180), "the sibling to run", () -> Files.exists(s.workspace().resolve(".sibling-started")));
        // The Podman API service (the one Burrow started for its sessions) dies under the running sibling and its waiting client.
        List<ProcessHandle> services = ProcessHandle.allProcesses().filter(p -> p.info().user().equals(java.util.Optional.of(System.getProperty("user.name"))))
                .filter(p -> p.info().commandLine()
                .map(c -> c.contains("system service") && c.contains("podman.sock")).orElse(false)).toList();
        assertThat(services).as("the Podman service Burrow started").isNotEmpty();
        services.forEach(ProcessHandle::destroyForcibly);
        Files.writeString(s.workspace().resolve(".service-killed"), "");
        Eventually.await(Duration.ofSeconds(180), "the turn to end", () -> burrow.sessions().get(s.id()).state() == SessionState.IDLE);
        StringBuilder out = new StringBuilder();
        for (StoredEvent e : burrow.sessions().events(s.id(), 0)) {
            if (e.event() instanceof AgentEvent.ToolResults r) out.append(r.message().toString());
        }
        String seen = out.toString().replace("\\n", "\n");
        System.out.println("With the Podman service killed: " + seen);
        // The sibling ran on; the service came back for the next uses; the client that was waiting on it did not hang.
        assertThat(seen).contains("sibling-started", "faults-sib", "after-the-restart", "sibling-removed").containsPattern("wait-ended [0-9]+");
    }

    /** Sequence numbers 1..n without a gap, and no event stored twice. */
    static void assertWhole(List<Long> seqs, List<String> stored) {
        assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
        assertThat(stored).doesNotHaveDuplicates();
    }

    /** Starts `burrow serve` on {@code port} and logs in once it answers. */
    WebClient serve(Map<String, String> env, int port, String log) throws Exception {
        server = BurrowProcess.builder(env, "serve", "--port", String.valueOf(port)).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(log).toFile()).start();
        WebClient web = new WebClient("http://127.0.0.1:" + port);
        Eventually.await(Duration.ofSeconds(120), "the server to answer", () -> {
            if (!server.isAlive()) throw new AssertionError("burrow serve exited: " + Files.readString(tmp.resolve(log)));
            try {
                return web.login(PASSWORD).status() == 200;
            } catch (IOException e) {
                return false; // not listening yet
            }
        });
        return web;
    }
}
