package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.Burrow;
import dev.burrow.agent.AgentEvent;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.credentials.CredentialSettings;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionState;
import dev.burrow.store.StoredEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets never enter the box: with an API key, and with an OAuth token, the container holds
 * the session's placeholder alone, its gateway puts the real credential on model requests (the
 * scripted model refuses any other), and a scan of everything the container has finds no byte
 * of the secret. The agent's own tries to use the placeholder elsewhere go nowhere.
 */
class CredentialGatewayIT {
    @TempDir
    Path tmp;
    ScriptedModel model;
    Burrow burrow;

    @BeforeEach
    void start() throws Exception {
        TestEnv.requireContainers();
        model = new ScriptedModel();
    }

    @AfterEach
    void stop() {
        if (burrow != null) {
            TestEnv.stopLive(burrow);
            burrow.close();
        }
        model.close();
    }

    // The agent shows what it has, then tries its placeholder on what else the key could do.
    // (Claude Code keeps CLAUDE_CODE_OAUTH_TOKEN out of its tools' environment: the agent reads the secrets dir.)
    static final String ATTACK = "BASH: echo key=$ANTHROPIC_API_KEY base=$ANTHROPIC_BASE_URL; cat /run/burrow-secrets/agent.env; "
            + "ph=$(grep -o 'burrow-session-[A-Za-z0-9_-]*' /run/burrow-secrets/agent.env); "
            + "curl -sS -H \"x-api-key: $ph\" $ANTHROPIC_BASE_URL/v1/files; echo; "
            + "curl -sS -H \"Authorization: Bearer $ph\" $ANTHROPIC_BASE_URL/api/oauth/profile";

    @Test
    void anApiKeyReachesTheModelButNeverTheBox() throws Exception {
        String key = "sk-ant-api03-" + UUID.randomUUID() + UUID.randomUUID();
        model.requireApiKey(key);
        model.answerAs("claude-sonnet-4-5");
        burrow = Burrow.start(TestEnv.config(tmp.resolve("data"), model).withCredentials(CredentialSettings.of(key, "")));
        Session s = attack();
        assertThat(model.credentials()).isNotEmpty().containsOnly("x-api-key " + key);
        assertThat(toolOutput(s)).contains("key=burrow-session-").contains("ANTHROPIC_API_KEY=burrow-session-")
                .contains("base=http://127.0.0.1:3129").contains("burrow: a session's model gateway passes model requests only");
        assertNowhereInTheBox(s, key);
        // What the gateway saw: each answer of the scripted model, 100 tokens in and 20 out.
        var usage = burrow.sessions().modelUsage(s.id());
        assertThat(usage.requests()).isEqualTo(model.requests().size());
        assertThat(usage.inputTokens()).isEqualTo(100L * model.requests().size());
        assertThat(usage.turnEnds()).isGreaterThanOrEqualTo(1);
        // Answers named claude-sonnet-4-5 are priced at its list price: 100 in at $3 and 20 out at $15 per million tokens.
        assertThat(usage.unpriced()).isZero();
        assertThat(usage.costUsd()).isCloseTo(0.0006 * usage.requests(), org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void anOAuthTokenReachesTheModelButNeverTheBox() throws Exception {
        String token = model.login().issue(Duration.ofHours(2)).accessToken();
        burrow = Burrow.start(TestEnv.config(tmp.resolve("data"), model).withCredentials(CredentialSettings.of("", token)));
        Session s = attack();
        assertThat(model.credentials()).isNotEmpty().containsOnly("Bearer " + token);
        assertThat(toolOutput(s)).contains("CLAUDE_CODE_OAUTH_TOKEN=burrow-session-")
                .contains("burrow: a session's model gateway passes model requests only");
        assertNowhereInTheBox(s, token);
    }

    @Test
    void aModelApiOverHttpsWithACaOfItsOwnIsReachedWhenBurrowIsToldToTrustIt() throws Exception {
        // The scripted model over HTTPS, its certificate signed by a test CA (not Burrow's own).
        javax.net.ssl.SSLContext tls = TestEnv.testCaServer(tmp.resolve("test-ca"), "127.0.0.1");
        model.close();
        model = new ScriptedModel(tls);
        String key = "sk-ant-api03-" + UUID.randomUUID();
        model.requireApiKey(key);
        assertThat(model.baseUrl()).startsWith("https://127.0.0.1:");

        // Not trusted: the turn fails at once, saying why, and the model saw nothing.
        burrow = Burrow.start(TestEnv.config(tmp.resolve("untrusting"), model).withCredentials(CredentialSettings.of(key, "")));
        Session refused = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo-a")).toString(), null, "hello over https"), p -> { });
        Eventually.await(Duration.ofSeconds(90), "the refused turn to end", () -> burrow.sessions().get(refused.id()).state() == SessionState.IDLE);
        assertThat(burrow.sessions().events(refused.id(), 0).toString()).contains("burrow: the model API at 127.0.0.1 cannot be reached");
        assertThat(model.credentials()).isEmpty();
        TestEnv.stopLive(burrow);
        burrow.close();

        // Trusted (BURROW_UPSTREAM_CA): the gateway speaks HTTPS to it with the real key.
        burrow = Burrow.start(TestEnv.config(tmp.resolve("data"), model).withCredentials(CredentialSettings.of(key, ""))
                .withUpstreamCa(tmp.resolve("test-ca/ca.crt")));
        Session s = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo-b")).toString(), null, "hello over https"), p -> { });
        Eventually.idle(burrow, s.id());
        assertThat(burrow.sessions().events(s.id(), 0).toString()).contains(ScriptedModel.REPLY_PREFIX + "hello over https");
        assertThat(model.credentials()).isNotEmpty().containsOnly("x-api-key " + key);
    }

    @Test
    void theModelApiCalledByItsNameIsAnsweredByTheGatewayAndTheBoxsToolsGoThroughIt() throws Exception {
        // The model API over HTTPS at this machine's own address, as api.anthropic.com is elsewhere: the container
        // reaches it by name only through its egress proxy, where the model gateway answers with a leaf of Burrow's CA.
        String own = TestEnv.machineAddress();
        javax.net.ssl.SSLContext tls = TestEnv.testCaServer(tmp.resolve("test-ca"), own);
        model.close();
        model = new ScriptedModel(tls, java.net.InetAddress.getByName(own));
        String key = "sk-ant-api03-" + UUID.randomUUID() + UUID.randomUUID();
        model.requireApiKey(key);
        String api = model.baseUrl();
        assertThat(api).startsWith("https://" + own + ":");
        burrow = Burrow.start(TestEnv.config(tmp.resolve("data"), model).withCredentials(CredentialSettings.of(key, ""))
                .withUpstreamCa(tmp.resolve("test-ca/ca.crt")));
        String body = "'{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"by name\"}]}'";
        String command = "echo proxy=$HTTPS_PROXY; curl -sS " + api + "/v1/messages -H \"x-api-key: $ANTHROPIC_API_KEY\" -H 'content-type: application/json' -d " + body + "; echo; "
                + "echo files=$(curl -sS -o /dev/null -w '%{http_code}' " + api + "/v1/files -H \"x-api-key: $ANTHROPIC_API_KEY\"); "
                + "echo bare=$(curl -sS -o /dev/null -w '%{http_code}' " + api + "/admin/keys); "
                + "timeout 90 npm pack --silent " + api + "/v1/models/npm-probe.tgz >/dev/null 2>&1; "
                + "timeout 90 pip download -q --no-deps --no-index -d /tmp/pip-probe " + api + "/v1/models/pip-probe.tar.gz >/dev/null 2>&1; echo probed";
        Session s = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo")).toString(), null, "BASH: " + command), p -> { });
        Eventually.await(Duration.ofSeconds(240), "the turn to end", () -> burrow.sessions().get(s.id()).state() == SessionState.IDLE);
        String seen = toolOutput(burrow.sessions().get(s.id()));
        System.out.println("By name through the gateway: " + seen + " unscripted: " + model.unscripted());
        // curl took Burrow's leaf for the API's host and its placeholder was swapped for the key; the files API was refused.
        assertThat(seen).contains("\\\"text\\\":\\\"ok\\\"").contains("files=403").contains("bare=403").contains("probed")
                // Claude Code itself has the proxy variables (its Bash tool inherits its environment).
                .contains("proxy=http://127.0.0.1:3128");
        assertThat(model.credentials()).isNotEmpty().containsOnly("x-api-key " + key);
        // npm and pip went by the proxy variables and trusted Burrow's CA: their requests reached the API's host (bare, on
        // a model path); a path that is not the model's goes nowhere, even bare (the API is not Anthropic's: another
        // gateway's other routes are no business of the session's).
        assertThat(model.unscripted()).contains("GET /v1/models/npm-probe.tgz", "GET /v1/models/pip-probe.tar.gz").noneMatch(r -> r.contains("admin"));
        assertNowhereInTheBox(burrow.sessions().get(s.id()), key);
    }

    @Test
    void withNoBurrowFollowingTheSessionAModelRequestFailsAtOnceSayingWhy() throws Exception {
        Path data = tmp.resolve("data");
        burrow = Burrow.start(TestEnv.config(data, model));
        Session s = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo")).toString(), null, "hello"), p -> { });
        Eventually.idle(burrow, s.id());
        // Burrow goes away (the container stays): the session's gateway, and every connection through it, with it.
        burrow.close();
        burrow = null;
        Path out = s.runDir().resolve("out.jsonl");
        long offset = java.nio.file.Files.size(out);
        int before = model.requests().size();
        long start = System.nanoTime();
        // A message reaches Claude Code all the same, as one written to its input by hand would.
        java.nio.file.Files.writeString(s.runDir().resolve("in.fifo"), "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"are you there\"}}\n");
        String[] result = {""};
        Eventually.await(Duration.ofSeconds(90), "the turn to end", () -> {
            String tail = java.nio.file.Files.readString(out).substring((int) offset);
            result[0] = tail.lines().filter(l -> l.contains("\"type\":\"result\"")).findFirst().orElse("");
            return !result[0].isEmpty();
        });
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        System.out.println("With no gateway, after " + seconds + " s: " + result[0]);
        assertThat(result[0]).contains("\"is_error\":true").contains("burrow: the session's model gateway is not running");
        // One try (burrow-egress waits 10 s for the gateway), not Claude Code's minutes of retries.
        assertThat(seconds).isLessThan(40);
        assertThat(model.requests()).hasSize(before);
        burrow = Burrow.start(TestEnv.config(data, model)); // follows again, so the container is stopped after the test
    }

    Session attack() throws Exception {
        Session s = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo")).toString(), null, ATTACK), p -> { });
        Eventually.await(Duration.ofSeconds(120), "the attack's turn to end", () -> burrow.sessions().get(s.id()).state() == SessionState.IDLE);
        return burrow.sessions().get(s.id());
    }

    String toolOutput(Session s) {
        StringBuilder out = new StringBuilder();
        for (StoredEvent e : burrow.sessions().events(s.id(), 0)) {
            if (e.event() instanceof AgentEvent.ToolResults r) out.append(r.message().toString());
        }
        return out.toString();
    }

    void assertNowhereInTheBox(Session s, String secret) throws Exception {
        SecretScan.assertNowhereInTheBox(burrow, s, secret, tmp.resolve("data"));
    }
}
