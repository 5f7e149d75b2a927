package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.Burrow;
import dev.burrow.agent.AgentEvent;
import dev.burrow.bench.ScriptedLogin;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.credentials.CredentialSettings;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.store.StoredEvent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sessions on the host user's own Claude login: two Burrow processes (as a server and a CLI
 * beside it would be) each run a session on the one login, whose refresh tokens are
 * single-use. Both renewals they race for happen exactly once, nobody is logged out, and
 * the containers never hold a token: their gateways put the current one on each model request.
 */
class ClaudeLoginIT {
    @TempDir
    Path tmp;
    ScriptedModel model;
    Path claudeDir;
    Burrow first;
    Burrow second;

    @BeforeEach
    void start() throws Exception {
        TestEnv.requireContainers();
        model = new ScriptedModel();
        claudeDir = Files.createDirectories(tmp.resolve("home/.claude"));
    }

    @AfterEach
    void stop() {
        for (Burrow b : new Burrow[] {first, second}) {
            if (b == null) continue;
            TestEnv.stopLive(b);
            b.close();
        }
        model.close();
    }

    Burrow burrow(String name) {
        CredentialSettings login = new CredentialSettings("", "", claudeDir, URI.create(model.tokenUrl()), CredentialSettings.Choice.AUTO);
        return Burrow.start(TestEnv.config(tmp.resolve(name), model).withCredentials(login));
    }

    String hostAccessToken() throws Exception {
        return JsonMapper.builder().build().readTree(Files.readString(claudeDir.resolve(".credentials.json")))
                .path("claudeAiOauth").path("accessToken").asString();
    }

    String containerFile(Burrow b, Session s) throws Exception {
        return Files.readString(b.sessions().get(s.id()).claudeConfig().resolve(".credentials.json"));
    }

    @Test
    void twoSessionsOnTheOneLoginRenewItOnceEachTimeAndStayLoggedIn() throws Exception {
        // The user's login has eight minutes left: inside Burrow's renewal margin, so both processes want to renew at once.
        ScriptedLogin.Issued original = model.login().issue(Duration.ofMinutes(8));
        Files.writeString(claudeDir.resolve(".credentials.json"), original.credentialsJson());
        // The renewed token is due again 20 s later, while both sessions run: a second race.
        model.login().nextLifetimes(Duration.ofMinutes(10).plusSeconds(20));
        first = burrow("first");
        second = burrow("second");
        assertThat(first.sessions().credentials().describe()).contains(claudeDir.toString()).doesNotContain(original.accessToken());

        CompletableFuture<Session> a = CompletableFuture.supplyAsync(() -> create(first, "repo-a", "hello from session a"));
        CompletableFuture<Session> b = CompletableFuture.supplyAsync(() -> create(second, "repo-b", "hello from session b"));
        Session sa = a.join();
        Session sb = b.join();
        Eventually.idle(first, sa.id());
        Eventually.idle(second, sb.id());
        assertThat(assistantText(first, sa)).contains(ScriptedModel.REPLY_PREFIX + "hello from session a");
        assertThat(assistantText(second, sb)).contains(ScriptedModel.REPLY_PREFIX + "hello from session b");

        // The renewal is counted when the token service answers; Burrow writes the host's file just after.
        Eventually.await(Duration.ofSeconds(60), "the second renewal, in the host's file",
                () -> model.login().renewals() == 2 && hostAccessToken().equals(model.login().lastRenewed()));
        String current = hostAccessToken();
        first.sessions().send(sa.id(), "after the renewal a");
        second.sessions().send(sb.id(), "after the renewal b");
        Eventually.idle(first, sa.id());
        Eventually.idle(second, sb.id());
        assertThat(assistantText(first, sa)).contains(ScriptedModel.REPLY_PREFIX + "after the renewal a");
        assertThat(assistantText(second, sb)).contains(ScriptedModel.REPLY_PREFIX + "after the renewal b");

        // One renewal per rotation, and no refresh token was ever used twice.
        assertThat(model.login().renewals()).isEqualTo(2);
        assertThat(model.login().refusedRenewals()).isZero();
        // The model saw the real, current token: the sessions' gateways put it there.
        List<String> used = model.credentials();
        assertThat(used.subList(used.size() - 2, used.size())).containsOnly("Bearer " + current);
        assertThat(used).noneMatch(c -> c.startsWith("x-api-key")).noneMatch(c -> c.contains("burrow-session-"));
        // The containers never held a token: their .credentials.json has the session's placeholder; nothing secret is in podman inspect.
        String hostFile = Files.readString(claudeDir.resolve(".credentials.json"));
        String refresh = JsonMapper.builder().build().readTree(hostFile).path("claudeAiOauth").path("refreshToken").asString();
        for (var pair : List.of(new Object[] {first, sa}, new Object[] {second, sb})) {
            Burrow bw = (Burrow) pair[0];
            Session s = bw.sessions().get(((Session) pair[1]).id());
            String file = containerFile(bw, s);
            assertThat(file).contains("burrow-session-").doesNotContain("refreshToken");
            String inside = TestEnv.podman("exec", s.containerId(), "sh", "-c", "cat /home/agent/.claude/.credentials.json; env; cat /run/burrow-secrets/*");
            String inspect = TestEnv.podman("inspect", s.containerId());
            assertThat(inspect).contains("burrow.session");
            for (String secret : List.of(current, refresh, original.accessToken(), original.refreshToken())) {
                assertThat(file).doesNotContain(secret);
                assertThat(inside).doesNotContain(secret);
                assertThat(inspect).doesNotContain(secret);
            }
        }
        // The whole scan, for the token in use and the refresh token: nowhere in the box, nor in what Burrow stored.
        Session s = first.sessions().get(sa.id());
        SecretScan.assertNowhereInTheBox(first, s, current, tmp.resolve("first"));
        SecretScan.assertNowhereInTheBox(second, second.sessions().get(sb.id()), refresh, tmp.resolve("second"));
    }

    Session create(Burrow b, String repo, String prompt) {
        try {
            return b.sessions().create(new NewSession(TestEnv.repo(tmp.resolve(repo)).toString(), null, prompt), p -> { });
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }


    static String assistantText(Burrow b, Session s) {
        StringBuilder sb = new StringBuilder();
        for (StoredEvent e : b.sessions().events(s.id(), 0)) {
            if (e.event() instanceof AgentEvent.Assistant a) a.message().path("content").forEach(c -> sb.append(c.path("text").asString("")));
        }
        return sb.toString();
    }
}
