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
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        burrow = Burrow.start(TestEnv.config(tmp.resolve("data"), model).withCredentials(CredentialSettings.of(key, "")));
        Session s = attack();
        assertThat(model.credentials()).isNotEmpty().containsOnly("x-api-key " + key);
        assertThat(toolOutput(s)).contains("key=burrow-session-").contains("ANTHROPIC_API_KEY=burrow-session-")
                .contains("base=http://127.0.0.1:3129").contains("burrow: this session's credential is only sent with model requests");
        assertNowhereInTheBox(s, key);
        // What the gateway saw: each answer of the scripted model, 100 tokens in and 20 out.
        var usage = burrow.sessions().modelUsage(s.id());
        assertThat(usage.requests()).isEqualTo(model.requests().size());
        assertThat(usage.inputTokens()).isEqualTo(100L * model.requests().size());
        assertThat(usage.turnEnds()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anOAuthTokenReachesTheModelButNeverTheBox() throws Exception {
        String token = model.login().issue(Duration.ofHours(2)).accessToken();
        burrow = Burrow.start(TestEnv.config(tmp.resolve("data"), model).withCredentials(CredentialSettings.of("", token)));
        Session s = attack();
        assertThat(model.credentials()).isNotEmpty().containsOnly("Bearer " + token);
        assertThat(toolOutput(s)).contains("CLAUDE_CODE_OAUTH_TOKEN=burrow-session-")
                .contains("burrow: this session's credential is only sent with model requests");
        assertNowhereInTheBox(s, token);
    }

    @Test
    void aModelApiOverHttpsWithACaOfItsOwnIsReachedWhenBurrowIsToldToTrustIt() throws Exception {
        // The scripted model over HTTPS, its certificate signed by a test CA (not Burrow's own).
        dev.burrow.gateway.BurrowCa testCa = dev.burrow.gateway.BurrowCa.loadOrCreate(tmp.resolve("test-ca"));
        dev.burrow.gateway.BurrowCa.Leaf leaf = testCa.leaf("127.0.0.1");
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", leaf.key(), new char[0], leaf.chain());
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
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

    Session attack() throws Exception {
        Session s = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo")).toString(), null, ATTACK), p -> { });
        Eventually.await(Duration.ofSeconds(120), "the attack's turn to end", () -> burrow.sessions().get(s.id()).state() == SessionState.IDLE);
        return burrow.sessions().get(s.id());
    }

    /**
     * Looks for {@code text} in the container: the environment and command line of every process,
     * then the files of {@code paths} and of every mount. The text goes to the scan on its stdin,
     * never in an argument the container could keep, and the processes are read before any of
     * them has it in its own command line.
     */
    static String scan(String container, String user, List<String> paths, String text) throws Exception {
        String script = "read -r s; cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline > /tmp/scan-procs-$$ 2>/dev/null; "
                + "grep -c -F -e \"$s\" /tmp/scan-procs-$$; rm -f /tmp/scan-procs-$$; "
                + "while read -r p; do printf '%s\\n' \"$p\"; done > /tmp/scan-paths-$$; "
                + "xargs -a /tmp/scan-paths-$$ -d '\\n' grep -r -F -l -s -e \"$s\" /workspace /home/agent /run/burrow /run/burrow-secrets /run/burrow-net /tmp; "
                + "echo scan-end";
        Process p = new ProcessBuilder("podman", "exec", "-i", "--user", user, container, "sh", "-c", script).redirectErrorStream(true).start();
        p.getOutputStream().write((text + "\n" + String.join("\n", paths) + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        p.waitFor();
        return out.toString(StandardCharsets.UTF_8);
    }

    String toolOutput(Session s) {
        StringBuilder out = new StringBuilder();
        for (StoredEvent e : burrow.sessions().events(s.id(), 0)) {
            if (e.event() instanceof AgentEvent.ToolResults r) out.append(r.message().toString());
        }
        return out.toString();
    }

    /**
     * The secret is in none of: podman inspect, the environment and command line of every
     * process in the container, the files its writable layer changed (podman diff), every
     * mount (workspace, home with the Claude dir and caches, run dir, secrets dir, net dir),
     * the event store and the database.
     */
    void assertNowhereInTheBox(Session s, String secret) throws Exception {
        String id = s.containerId();
        assertThat(TestEnv.podman("inspect", id)).contains("burrow.session").doesNotContain(secret);
        List<String> changed = new ArrayList<>();
        for (String line : TestEnv.podman("diff", id).lines().toList()) {
            String path = line.length() > 2 ? line.substring(2).strip() : "";
            if (path.startsWith("/") && !path.startsWith("/proc") && !path.startsWith("/sys") && !path.startsWith("/dev")) changed.add(path);
        }
        assertThat(changed).as("podman diff").isNotEmpty();
        // grep -c prints 0 for no process with it; grep -l lists the files that have it: none.
        // As the agent (whose processes' environments root in the container may not read) and as root.
        assertThat(scan(id, "agent", changed, secret)).as("the in-container scan as the agent").isEqualTo("0\nscan-end\n");
        assertThat(scan(id, "root", changed, secret)).as("the in-container scan as root").isEqualTo("0\nscan-end\n");
        // The same scan finds what is there: the placeholder, in Claude Code's environment and the secrets dir.
        String placeholder = toolOutput(s).replaceAll("(?s).*?(burrow-session-[A-Za-z0-9_-]{43}).*", "$1");
        assertThat(scan(id, "agent", changed, placeholder)).contains("/run/burrow-secrets/agent.env").doesNotStartWith("0\n");
        for (StoredEvent e : burrow.sessions().events(s.id(), 0)) assertThat(e.event().toString()).doesNotContain(secret);
        burrow.sessions().stop(s.id());
        for (String f : List.of("burrow.db", "burrow.db-wal")) {
            Path db = tmp.resolve("data").resolve(f);
            if (Files.exists(db)) assertThat(new String(Files.readAllBytes(db), StandardCharsets.ISO_8859_1)).as(f).doesNotContain(secret);
        }
    }
}
