package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.Burrow;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.web.WebOptions;
import dev.burrow.web.WebServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The JSON API and its security against the real server on a random port. */
class WebApiIT {
    static final String PASSWORD = "a long enough password";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;
    ScriptedModel model;
    Burrow burrow;
    WebServer server;
    WebClient client;
    Path repo;

    @RegisterExtension
    final LiveBurrow live = LiveBurrow.serving("127.0.0.1");

    @BeforeEach
    void start() throws Exception {
        model = live.model;
        burrow = live.burrow;
        server = live.server;
        client = new WebClient("http://127.0.0.1:" + server.port());
        repo = TestEnv.repo(tmp.resolve("repo"));
    }

    @Test
    void withoutAPasswordOnlyTheSetupPageIsServed() throws Exception {
        assertThat(client.get("/api/sessions").status()).isEqualTo(503);
        assertThat(client.get("/api/sessions").body()).contains("./burrow passwd");
        WebClient.Response login = client.get("/login");
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.body()).contains("./burrow passwd");
        assertThat(client.get("/").status()).isEqualTo(302);
    }

    @Test
    void loginLogoutCookieAttributesAndHeaders() throws Exception {
        burrow.auth().setPassword(PASSWORD);
        assertThat(client.get("/api/sessions").status()).isEqualTo(401);
        assertThat(client.login("wrong").status()).isEqualTo(401);
        WebClient.Response ok = client.login(PASSWORD);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("Set-Cookie")).startsWith("burrow_session=").contains("HttpOnly", "SameSite=Strict").doesNotContain("Secure");
        assertThat(ok.header("Content-Security-Policy")).contains("script-src 'self'").doesNotContain("unsafe-inline");
        assertThat(ok.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(ok.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(ok.header("Referrer-Policy")).isNotBlank();
        assertThat(client.get("/api/sessions").status()).isEqualTo(200);
        assertThat(client.get("/api/logins").body()).contains("127.0.0.1");

        // A proxy in front that terminates TLS: Secure cookies.
        WebClient viaTls = new WebClient(client.base);
        assertThat(viaTls.login(PASSWORD, "X-Forwarded-Proto", "https").header("Set-Cookie")).contains("Secure");

        assertThat(client.post("/api/logout", null).status()).isEqualTo(204);
        assertThat(client.get("/api/sessions").status()).isEqualTo(401);
    }

    @Test
    void bearerTokensNeedNoCookieAndNoCsrfAndCanBeRevoked() throws Exception {
        burrow.auth().setPassword(PASSWORD);
        client.bearer = burrow.auth().createToken("script");
        assertThat(client.get("/api/sessions").status()).isEqualTo(200);
        assertThat(client.post("/api/sessions", "{\"repo\":\"" + tmp.resolve("nope") + "\",\"prompt\":\"x\"}").status()).isEqualTo(400);
        assertThat(client.readEvents("/api/sessions/nope/events", null, e -> true).getFirst().data()).isEqualTo("404");
        burrow.auth().revokeToken("script");
        assertThat(client.get("/api/sessions").status()).isEqualTo(401);
        client.bearer = "burrow_made-up";
        assertThat(client.get("/api/sessions").status()).isEqualTo(401);
    }

    @Test
    void unsafeMethodsNeedTheCsrfTokenAndStreamsAndPostsCheckOrigin() throws Exception {
        burrow.auth().setPassword(PASSWORD);
        client.login(PASSWORD);
        String csrf = client.csrf;
        client.csrf = null;
        String body = "{\"repo\":\"" + repo + "\",\"prompt\":\"hi\"}";
        assertThat(client.post("/api/sessions", body).status()).isEqualTo(403);
        client.csrf = "wrong";
        assertThat(client.post("/api/sessions", body).status()).isEqualTo(403);
        client.csrf = csrf;
        assertThat(client.post("/api/sessions", body, "Origin", "http://evil.example").status()).isEqualTo(403);
        WebClient.Response created = client.post("/api/sessions", body, "Origin", client.base);
        assertThat(created.status()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asString();
        assertThat(client.readEvents("/api/sessions/" + id + "/events", null, e -> true, "Origin", "http://evil.example").getFirst().data())
                .isEqualTo("403");
        assertThat(client.readEvents("/api/sessions/" + id + "/events", null, e -> e.stream().anyMatch(x -> "event".equals(x.event())), "Origin", client.base))
                .anyMatch(x -> "event".equals(x.event()));
    }

    @Test
    void loginThrottlingLocksOneAddressAndNotAnother() throws Exception {
        burrow.auth().setPassword(PASSWORD);
        for (int i = 0; i < 5; i++) assertThat(client.login("wrong", "X-Forwarded-For", "203.0.113.7").status()).isEqualTo(401);
        WebClient.Response locked = client.login(PASSWORD, "X-Forwarded-For", "203.0.113.7");
        assertThat(locked.status()).isEqualTo(429);
        assertThat(Integer.parseInt(locked.header("Retry-After"))).isPositive();
        assertThat(locked.body()).contains("try again");
        assertThat(new WebClient(client.base).login(PASSWORD, "X-Forwarded-For", "198.51.100.9").status()).isEqualTo(200);
        assertThat(new WebClient(client.base).login(PASSWORD).status()).isEqualTo(200);

        // Without a trusted proxy, X-Forwarded-For is the client's own claim and is ignored.
        try (WebServer direct = WebServer.start(burrow, new WebOptions("127.0.0.1", 0, false, Set.of()))) {
            WebClient c = new WebClient("http://127.0.0.1:" + direct.port());
            for (int i = 0; i < 5; i++) c.login("wrong", "X-Forwarded-For", "192.0.2." + i);
            assertThat(c.login(PASSWORD, "X-Forwarded-For", "192.0.2.200").status()).isEqualTo(429);
        }
    }

    @Test
    void aRequestForAHostBurrowDoesNotServeGets421() throws Exception {
        burrow.auth().setPassword(PASSWORD);
        // A DNS-rebinding page reaches this port under its own name: neither the login nor anything else answers it.
        String body = "{\"password\":\"" + PASSWORD + "\"}";
        String answer = raw(server.port(), "POST /api/login HTTP/1.1\r\nHost: rebind.evil.example:" + server.port()
                + "\r\nOrigin: http://rebind.evil.example:" + server.port() + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(answer).startsWith("HTTP/1.1 421").contains("does not answer to rebind.evil.example").doesNotContain("Set-Cookie");
        assertThat(raw(server.port(), "GET /login HTTP/1.1\r\nHost: rebind.evil.example\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 421");
        assertThat(raw(server.port(), "GET /login HTTP/1.1\r\nHost: localhost:" + server.port() + "\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200");
        // Behind a proxy with a name of its own: --host names it.
        try (WebServer named = WebServer.start(burrow, new WebOptions("127.0.0.1", 0, false, Set.of(), Set.of("burrow.example.ts.net")))) {
            assertThat(raw(named.port(), "GET /login HTTP/1.1\r\nHost: burrow.example.ts.net\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
        }
    }

    /** One request as written, on a socket of its own (HttpClient will not send a Host header of the caller's choosing). */
    private static String raw(int port, String request) throws java.io.IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void errorsAreJsonWithTheRightStatus() throws Exception {
        burrow.auth().setPassword(PASSWORD);
        client.login(PASSWORD);
        assertThat(client.post("/api/sessions", "not json")).satisfies(r -> {
            assertThat(r.status()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("error").asString()).contains("JSON");
        });
        assertThat(client.post("/api/sessions", "{\"repo\":\"" + repo + "\"}").status()).isEqualTo(400);
        assertThat(client.post("/api/sessions", "{\"repo\":\"" + repo + "\",\"prompt\":\"  \"}").status()).isEqualTo(400);
        assertThat(client.get("/api/sessions/does-not-exist").status()).isEqualTo(404);
        assertThat(burrow.sessions().list()).isEmpty();

        WebClient.Response created = client.post("/api/sessions", "{\"repo\":\"" + repo + "\",\"prompt\":\"hello\"}");
        String id = JSON.readTree(created.body()).path("id").asString();
        Eventually.await(Duration.ofSeconds(90), "idle", () -> burrow.sessions().get(id).state().label().equals("idle"));
        assertThat(client.post("/api/sessions/" + id + "/interrupt", null).status()).isEqualTo(409);
        String big = "x".repeat(1024 * 1024 + 10);
        assertThat(client.post("/api/sessions/" + id + "/messages", "{\"text\":\"" + big + "\"}").status()).isEqualTo(413);
        assertThat(client.post("/api/sessions/" + id + "/messages", "{\"text\":\"" + "y".repeat(3 * 1024 * 1024) + "\"}").status())
                .isEqualTo(413);
        assertThat(client.post("/api/sessions/" + id + "/resume", null).status()).isEqualTo(200);
        assertThat(client.post("/api/sessions/" + id + "/stop", null).status()).isEqualTo(200);
        assertThat(client.post("/api/sessions/" + id + "/stop", null).status()).isEqualTo(409);
    }

    @Test
    void changesShowAllOfTheWorkCommittedAndNotEachFileMarkedAndTheListShowsTheTitle() throws Exception {
        burrow.auth().setPassword(PASSWORD);
        client.login(PASSWORD);
        java.nio.file.Files.writeString(repo.resolve("gone.txt"), "to be deleted\n");
        TestEnv.git(repo, "add", ".");
        TestEnv.git(repo, "-c", "user.name=T", "-c", "user.email=t@t", "commit", "-q", "-m", "a file to delete");
        // Committed: a text file, a binary one and a long one; then, not committed: an edit, a new file and a deletion.
        String cmd = "echo kept > c.txt && head -c 3000 /dev/urandom > b.bin && seq 1 1000 > long.txt && git add . && git commit -qm work"
                + " && echo edited >> README.md && echo fresh > n.txt && rm gone.txt";
        WebClient.Response created = client.post("/api/sessions", "{\"repo\":\"" + repo + "\",\"prompt\":\"BASH: " + cmd + "\\nand more\"}");
        assertThat(created.status()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asString();
        Eventually.await(Duration.ofSeconds(90), "idle", () -> JSON.readTree(client.get("/api/sessions/" + id).body()).path("state").asString().equals("idle"));
        JsonNode diff = JSON.readTree(client.get("/api/sessions/" + id + "/diff").body());
        java.util.Map<String, String> status = new java.util.TreeMap<>();
        for (JsonNode f : diff.path("files")) status.put(f.path("path").asString(), f.path("status").asString());
        assertThat(status).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("README.md", "modified", "b.bin", "committed", "c.txt", "committed",
                "gone.txt", "deleted", "long.txt", "committed", "n.txt", "new"));
        assertThat(diff.path("savedAt").asString()).isNotBlank();
        JsonNode bin = java.util.stream.StreamSupport.stream(diff.path("files").spliterator(), false).filter(f -> f.path("path").asString().equals("b.bin")).findFirst().orElseThrow();
        assertThat(bin.path("binary").asBoolean()).isTrue();
        String page = client.get("/sessions/" + id + "/changes").body();
        assertThat(page).contains("As of the last save").contains("binary file").containsPattern("10\\d\\d lines, collapsed")
                .contains("data-status=\"new\"").contains("data-status=\"deleted\"").contains("data-status=\"modified\"").contains("+edited");
        // The list shows each session's title: its first prompt's first line, shortened.
        assertThat(client.get("/fragments/sessions").body()).contains("<span class=\"title\">BASH: echo kept &gt; c.txt").doesNotContain("and more");
    }

    @Test
    void sessionLifecycleThroughTheApi() throws Exception {
        burrow.auth().setPassword(PASSWORD);
        client.login(PASSWORD);
        String cmd = "echo api > api.txt && git add api.txt && git commit -qm 'Via the API'";
        WebClient.Response created = client.post("/api/sessions", "{\"repo\":\"" + repo + "\",\"branch\":\"main\",\"prompt\":\"BASH: " + cmd + "\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode s = JSON.readTree(created.body());
        String id = s.path("id").asString();
        assertThat(s.path("branch").asString()).isEqualTo("burrow/" + id.substring(0, 8));
        Eventually.await(Duration.ofSeconds(90), "idle", () -> JSON.readTree(client.get("/api/sessions/" + id).body()).path("state").asString().equals("idle"));
        JsonNode diff = JSON.readTree(client.get("/api/sessions/" + id + "/diff").body());
        assertThat(diff.path("diff").asString()).contains("+++ b/api.txt").contains("+api");
        assertThat(client.post("/api/sessions/" + id + "/messages", "{\"text\":\"and then?\"}").status()).isEqualTo(202);
        Eventually.await(Duration.ofSeconds(90), "second turn", () -> JSON.readTree(client.get("/api/sessions/" + id).body()).path("turns").size() == 2);
        JsonNode details = JSON.readTree(client.get("/api/sessions/" + id).body());
        assertThat(details.path("mode").asString()).isEqualTo("chat");
        assertThat(details.path("gpu").isBoolean()).isTrue();
        assertThat(details.path("network").asString()).isEqualTo("full");
        // What the gateway saw, beside what the agent reports: two answers of the scripted model, 100 tokens in each;
        // its model is not one Burrow prices, so the list shows the agent's figure, labelled so.
        assertThat(details.path("gateway").path("requests").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(details.path("gateway").path("inputTokens").asLong()).isEqualTo(100 * details.path("gateway").path("requests").asLong());
        assertThat(details.path("gateway").path("turnEnds").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(client.get("/fragments/sessions").body()).contains("(agent)");
        assertThat(client.get("/sessions/" + id).body()).contains("as the gateway saw");
        WebClient.Response badNetwork = client.post("/api/sessions", "{\"repo\":\"" + repo + "\",\"prompt\":\"x\",\"network\":\"open\"}");
        assertThat(badNetwork.status()).isEqualTo(400);
        assertThat(badNetwork.body()).contains("full, none or allowlist");
        assertThat(details.path("limits").has("memory")).isTrue();
        assertThat(client.post("/api/sessions", "{\"repo\":\"" + repo + "\",\"prompt\":\"x\",\"gpu\":\"yes\"}").body()).contains("\\\"gpu\\\" must be true or false");
        assertThat(client.post("/api/sessions", "{\"repo\":\"" + repo + "\",\"prompt\":\"x\",\"mode\":\"tui\"}").body()).contains("unknown mode");
        assertThat(client.send("DELETE", "/api/sessions/" + id, null).status()).isEqualTo(204);
        assertThat(client.get("/api/sessions/" + id).status()).isEqualTo(404);
    }

    @Test
    void aLongTranscriptIsPagedAndALineOfMillionsOfTokensIsKeptAsText() throws Exception {
        burrow.auth().setPassword(PASSWORD);
        client.login(PASSWORD);
        // 400 small lines, then 3 lines of 8 MiB of "{}," (each a tree of 2.8 million nodes if read as an event).
        String script = """
                for i in $(seq 400); do echo '{"type":"x"}'; done >> /run/burrow/out.jsonl
                python3 -c "l = b'{\\"type\\":\\"assistant\\",\\"message\\":{\\"content\\":[' + b'{},' * 2796000 + b'{}]}}\\n'; open('/run/burrow/out.jsonl', 'ab').write(l * 3)"
                """;
        String cmd = "echo " + java.util.Base64.getEncoder().encodeToString(script.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + " | base64 -d | sh";
        WebClient.Response created = client.post("/api/sessions", "{\"repo\":\"" + repo + "\",\"prompt\":\"BASH: " + cmd + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asString();
        Eventually.await(Duration.ofSeconds(90), "idle", () -> JSON.readTree(client.get("/api/sessions/" + id).body()).path("state").asString().equals("idle"));
        var events = burrow.sessions().events(id, 0);
        assertThat(events).as(() -> events.stream().map(e -> e.event().type() + ":" + e.event().json().substring(0, Math.min(300, e.event().json().length())))
                        .filter(t -> !t.startsWith("x:")).toList().toString())
                .filteredOn(e -> e.event().json().length() > 8_000_000).hasSize(3)
                .allSatisfy(e -> assertThat(e.event().type()).isEqualTo("unparsed"));

        WebClient.Response page = client.get("/sessions/" + id);
        assertThat(page.status()).isEqualTo(200);
        java.util.regex.Matcher earlier = java.util.regex.Pattern.compile("/sessions/" + id + "/earlier\\?before=(\\d+)").matcher(page.body());
        assertThat(earlier.find()).as("a link to the earlier events").isTrue();
        assertThat(client.get("/sessions/" + id + "/earlier?before=" + earlier.group(1)).status()).isEqualTo(200);
        JsonNode firstPage = JSON.readTree(client.get("/api/sessions/" + id + "/events?limit=1000").body());
        assertThat(firstPage.size()).isBetween(400, 999); // cut short by size, not by count
        assertThat(client.get("/api/sessions/" + id + "/events?limit=0").status()).isEqualTo(400);
    }

    @Test
    void sseReplaysAfterADisconnectInTheMiddleOfATurnWithNoGapAndNoDuplicate() throws Exception {
        burrow.auth().setPassword(PASSWORD);
        client.login(PASSWORD);
        model.slowChunkMillis(100);
        WebClient.Response created = client.post("/api/sessions", "{\"repo\":\"" + repo + "\",\"prompt\":\"SLOW stream please\"}");
        String id = JSON.readTree(created.body()).path("id").asString();

        // First connection: read the first two stored events, then drop the connection mid-turn.
        List<WebClient.Sse> first = client.readEvents("/api/sessions/" + id + "/events", null,
                e -> e.stream().filter(x -> "event".equals(x.event())).count() >= 2);
        List<WebClient.Sse> firstEvents = first.stream().filter(x -> "event".equals(x.event())).toList();
        assertThat(burrow.sessions().get(id).state().label()).isEqualTo("running");
        String lastId = firstEvents.getLast().id();

        // Reconnect with Last-Event-ID and read until the turn's result.
        List<WebClient.Sse> second = client.readEvents("/api/sessions/" + id + "/events", lastId,
                e -> e.stream().anyMatch(x -> x.data().contains("\"type\":\"result\"")));
        List<WebClient.Sse> secondEvents = second.stream().filter(x -> "event".equals(x.event())).toList();
        List<Long> seqs = new java.util.ArrayList<>();
        firstEvents.forEach(e -> seqs.add(Long.parseLong(e.id())));
        secondEvents.forEach(e -> seqs.add(Long.parseLong(e.id())));
        assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
        for (WebClient.Sse e : secondEvents) {
            assertThat(JSON.readTree(e.data()).path("seq").asLong()).isEqualTo(Long.parseLong(e.id()));
        }
        // What was streamed is what was stored.
        assertThat(burrow.sessions().events(id, 0).stream().map(x -> x.seq()).toList()).startsWith(seqs.toArray(Long[]::new));
        // ?after=N works like Last-Event-ID.
        List<WebClient.Sse> tail = client.readEvents("/api/sessions/" + id + "/events?after=" + (seqs.size() - 1), null,
                e -> e.stream().anyMatch(x -> "event".equals(x.event())));
        assertThat(tail.stream().filter(x -> "event".equals(x.event())).findFirst().orElseThrow().id()).isEqualTo(String.valueOf(seqs.size()));
    }
}
