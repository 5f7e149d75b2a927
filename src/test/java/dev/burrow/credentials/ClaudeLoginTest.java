package dev.burrow.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burrow.bench.ScriptedLogin;
import dev.burrow.bench.ScriptedModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The host login with Burrow as its one renewer, against the scripted stand-in's token endpoint. */
class ClaudeLoginTest {
    @TempDir
    Path tmp;
    ScriptedModel model;
    Path claudeDir;

    @BeforeEach
    void setUp() throws Exception {
        model = new ScriptedModel();
        claudeDir = Files.createDirectories(tmp.resolve(".claude"));
    }

    @AfterEach
    void tearDown() {
        model.close();
    }

    ClaudeLogin login() {
        return new ClaudeLogin(claudeDir, URI.create(model.tokenUrl()), HttpClient.newHttpClient(), Clock.systemUTC());
    }

    ScriptedLogin.Issued logIn(Duration lifetime) throws Exception {
        ScriptedLogin.Issued i = model.login().issue(lifetime);
        // Claude Code's file holds more than the login; all of it must survive a renewal.
        String json = i.credentialsJson().replace("{\"claudeAiOauth\":{", "{\"mcpOAuth\":{\"srv\":{\"accessToken\":\"mcp\"}},\"claudeAiOauth\":{\"extra\":1,");
        Files.writeString(claudeDir.resolve(".credentials.json"), json);
        return i;
    }

    @Test
    void aTokenWithTimeLeftIsUsedAsItIs() throws Exception {
        ScriptedLogin.Issued i = logIn(Duration.ofHours(2));
        assertThat(login().current().accessToken()).isEqualTo(i.accessToken());
        assertThat(model.login().renewals()).isZero();
    }

    @Test
    void aTokenNearItsEndIsRenewedAndTheHostFileKeepsEverythingElse() throws Exception {
        ScriptedLogin.Issued old = logIn(Duration.ofMinutes(8));
        LoginToken t = login().current();
        assertThat(t.accessToken()).isNotEqualTo(old.accessToken());
        assertThat(model.login().renewals()).isEqualTo(1);
        Path file = claudeDir.resolve(".credentials.json");
        var root = JsonMapper.builder().build().readTree(Files.readString(file));
        assertThat(root.path("mcpOAuth").path("srv").path("accessToken").asString()).isEqualTo("mcp");
        assertThat(root.path("claudeAiOauth").path("extra").asInt()).isEqualTo(1);
        assertThat(root.path("claudeAiOauth").path("accessToken").asString()).isEqualTo(t.accessToken());
        assertThat(root.path("claudeAiOauth").path("refreshToken").asString()).isEqualTo(t.refreshToken()).isNotEqualTo(old.refreshToken());
        assertThat(root.path("claudeAiOauth").path("subscriptionType").asString()).isEqualTo("max");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String stand = t.placeholderForContainer("burrow-session-x");
        assertThat(stand).contains("burrow-session-x").contains("\"subscriptionType\":\"max\"").doesNotContain("refreshToken")
                .doesNotContain(t.refreshToken()).doesNotContain(t.accessToken());
        assertThat(t.toString()).doesNotContain(t.accessToken()).doesNotContain(t.refreshToken());
    }

    @Test
    void twoProcessesRenewingAtOnceRenewOnceAndBothGetTheNewToken() throws Exception {
        logIn(Duration.ofMinutes(8));
        // Two ClaudeLogin objects share nothing in memory, as two Burrow processes would not.
        List<ClaudeLogin> processes = List.of(login(), login());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> got = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                ClaudeLogin l = processes.get(i % 2);
                got.add(pool.submit(() -> {
                    go.await();
                    return l.current().accessToken();
                }));
            }
            go.countDown();
            Set<String> tokens = ConcurrentHashMap.newKeySet();
            for (Future<String> f : got) tokens.add(f.get());
            assertThat(tokens).hasSize(1);
        }
        assertThat(model.login().renewals()).isEqualTo(1);
        assertThat(model.login().refusedRenewals()).isZero();
    }

    @Test
    void aRenewalWaitsForClaudeCodesOwnLockAndTakesOverAStaleOne() throws Exception {
        logIn(Duration.ofMinutes(8));
        Path lock = Files.createDirectory(claudeDir.resolve(".oauth_refresh.lock"));
        var renewal = Executors.newVirtualThreadPerTaskExecutor().submit(() -> login().current());
        Thread.sleep(300);
        assertThat(renewal).isNotDone();
        assertThat(model.login().renewals()).isZero();
        Files.delete(lock);
        assertThat(renewal.get().accessToken()).isNotBlank();
        assertThat(model.login().renewals()).isEqualTo(1);

        logIn(Duration.ofMinutes(8));
        Files.createDirectory(lock);
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minusSeconds(120)));
        login().current();
        assertThat(model.login().renewals()).isEqualTo(2);
        assertThat(lock).doesNotExist();
        assertThat(claudeDir.resolveSibling(".claude.lock")).doesNotExist();
    }

    @Test
    void aRefusedRenewalSaysToLogInAgainAndAStillValidTokenKeepsWorking() throws Exception {
        ScriptedLogin.Issued i = logIn(Duration.ofMinutes(8));
        Files.writeString(claudeDir.resolve(".credentials.json"), i.credentialsJson().replace(i.refreshToken(), "used-elsewhere"));
        assertThat(login().current().accessToken()).isEqualTo(i.accessToken());
        assertThatThrownBy(() -> login().renew(true)).isInstanceOf(LoginException.class).hasMessageContaining("/login");
        assertThat(model.login().refusedRenewals()).isEqualTo(2);
    }

    @Test
    void theSourceIsATokenOrKeyFromConfigElseTheHostLoginUnlessConfiguredOtherwise() throws Exception {
        logIn(Duration.ofHours(1));
        URI url = URI.create(model.tokenUrl());
        var auto = new CredentialSettings("key", "tok", claudeDir, url, CredentialSettings.Choice.AUTO);
        assertThat(ModelCredentials.resolve(auto)).isInstanceOf(ModelCredentials.OAuthToken.class);
        assertThat(ModelCredentials.resolve(new CredentialSettings("key", "", claudeDir, url, CredentialSettings.Choice.AUTO)))
                .isInstanceOf(ModelCredentials.ApiKey.class);
        assertThat(ModelCredentials.resolve(new CredentialSettings("", "", claudeDir, url, CredentialSettings.Choice.AUTO)))
                .isInstanceOf(ModelCredentials.HostLogin.class);
        assertThat(ModelCredentials.resolve(auto.withChoice(CredentialSettings.Choice.CLAUDE_LOGIN)))
                .isInstanceOf(ModelCredentials.HostLogin.class);
        assertThat(ModelCredentials.resolve(new CredentialSettings("", "", tmp.resolve("nobody"), url, CredentialSettings.Choice.AUTO)))
                .isInstanceOfSatisfying(ModelCredentials.None.class, n -> assertThat(n.fix()).contains("/login", "ANTHROPIC_API_KEY"));
        assertThat(ModelCredentials.resolve(new CredentialSettings("key", "", claudeDir, url, CredentialSettings.Choice.OAUTH_TOKEN)))
                .isInstanceOf(ModelCredentials.None.class);
        assertThat(ModelCredentials.resolve(auto).describe()).doesNotContain("tok");
        assertThat(ModelCredentials.resolve(auto.withChoice(CredentialSettings.Choice.CLAUDE_LOGIN)).describe())
                .contains(claudeDir.toString(), "max plan", "Burrow renews it");
        assertThatThrownBy(() -> CredentialSettings.Choice.parse("keychain")).hasMessageContaining("auto, oauth-token, api-key or claude-login");
    }
}
