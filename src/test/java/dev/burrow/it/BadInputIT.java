package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burrow.Burrow;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.config.Config;
import dev.burrow.credentials.CredentialSettings;
import dev.burrow.container.ContainerState;
import dev.burrow.host.GpuSupport;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionMode;
import dev.burrow.session.SessionException;
import dev.burrow.session.SessionState;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input: one clear error, and nothing half-made left behind. */
class BadInputIT {
    @TempDir
    Path tmp;
    ScriptedModel model;
    Path repo;
    Set<String> containersBefore;

    @BeforeEach
    void start() throws Exception {
        model = new ScriptedModel();
        repo = TestEnv.repo(tmp.resolve("repo"));
        TestEnv.requireContainers();
    }

    @AfterEach
    void stop() {
        model.close();
    }

    void assertRefused(Config config, NewSession req, SessionException.Kind kind, String message) throws Exception {
        try (Burrow burrow = Burrow.start(config)) {
            containersBefore = ids(burrow);
            assertThatThrownBy(() -> burrow.sessions().create(req, p -> { }))
                    .isInstanceOfSatisfying(SessionException.class, e -> assertThat(e.kind()).isEqualTo(kind))
                    .hasMessageContaining(message)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThat(burrow.sessions().list()).isEmpty();
            assertThat(ids(burrow)).isEqualTo(containersBefore);
            Path sessionsDir = config.sessionsDir();
            if (Files.isDirectory(sessionsDir)) {
                try (var list = Files.list(sessionsDir)) {
                    assertThat(list.toList()).isEmpty();
                }
            }
        }
    }

    static Set<String> ids(Burrow burrow) {
        return burrow.engine().listOwned().stream().map(ContainerState::id).collect(Collectors.toSet());
    }

    Config config() {
        return TestEnv.config(tmp.resolve("data"), model);
    }

    @Test
    void aPathThatDoesNotExist() throws Exception {
        assertRefused(config(), new NewSession(tmp.resolve("missing").toString(), null, "hi"), SessionException.Kind.BAD_INPUT, "does not exist");
    }

    @Test
    void aRunnerImageRetaggedSinceBurrowBuiltItIsNotRun() throws Exception {
        String tag;
        try (Burrow burrow = Burrow.start(config())) {
            tag = burrow.sessions().runnerImage();
        }
        // Burrow's record says it built another image under this tag (as if something had moved the tag since).
        Path records = Files.createDirectories(tmp.resolve("data/runner-images"));
        Files.writeString(records.resolve(tag.replaceAll("[^A-Za-z0-9._-]", "_")), "0".repeat(64) + "\n");
        assertRefused(config(), new NewSession(repo.toString(), null, "hi"), SessionException.Kind.UNAVAILABLE,
                "is not the one Burrow built (it is ");
    }

    @Test
    void aDirectoryThatIsNotAGitRepository() throws Exception {
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        assertRefused(config(), new NewSession(plain.toString(), null, "hi"), SessionException.Kind.BAD_INPUT, "not a git repository");
    }

    @Test
    void aUrlThatCannotBeCloned() throws Exception {
        assertRefused(config(), new NewSession("file://" + tmp.resolve("nowhere.git"), null, "hi"), SessionException.Kind.BAD_INPUT, "could not clone");
    }

    @Test
    void anInvalidOrMissingBranch() throws Exception {
        assertRefused(config(), new NewSession(repo.toString(), "a..b", "hi"), SessionException.Kind.BAD_INPUT, "invalid branch name");
        assertRefused(config(), new NewSession(repo.toString(), "--orphan", "hi"), SessionException.Kind.BAD_INPUT, "invalid branch name");
        assertRefused(config(), new NewSession(repo.toString(), "no-such-branch", "hi"), SessionException.Kind.BAD_INPUT, "no-such-branch");
    }

    @Test
    void aGpuOnAHostWithoutOneIsRefusedAndOnAHostWithOneReachesTheContainer() throws Exception {
        GpuSupport gpu = GpuSupport.detect();
        NewSession withGpu = new NewSession(repo.toString(), null, "hi", SessionMode.CHAT, true);
        if (!gpu.usable()) {
            assertRefused(config(), withGpu, SessionException.Kind.BAD_INPUT, "no GPU that sessions can use");
            return;
        }
        try (Burrow burrow = Burrow.start(config())) {
            Session s = burrow.sessions().create(withGpu, p -> { });
            try {
                assertThat(s.gpu()).isTrue();
                assertThat(TestEnv.podman("inspect", s.containerId())).containsAnyOf("nvidia", "/dev/kfd");
            } finally {
                burrow.sessions().delete(s.id());
            }
        }
    }

    @Test
    void anEmptyPrompt() throws Exception {
        assertRefused(config(), new NewSession(repo.toString(), null, "   "), SessionException.Kind.BAD_INPUT, "prompt is empty");
    }

    @Test
    void aMissingRunnerImage() throws Exception {
        Config c = config();
        Config missing = c.withImages("localhost/burrow-no-such-image:1", c.baseImage());
        assertRefused(missing, new NewSession(repo.toString(), null, "hi"), SessionException.Kind.UNAVAILABLE, "./burrow image build");
    }

    @Test
    void anUnreachableModelEndpoint() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Config c = config();
        Config dead = c.withBaseUrl("http://127.0.0.1:" + port);
        assertRefused(dead, new NewSession(repo.toString(), null, "hi"), SessionException.Kind.UNAVAILABLE, "unreachable");
    }

    @Test
    void noCredentials() throws Exception {
        Config c = config();
        Path claudeDir = tmp.resolve("no-login");
        Config none = c.withCredentials(CredentialSettings.of("", "").withClaudeLogin(claudeDir, java.net.URI.create(model.tokenUrl())));
        assertRefused(none, new NewSession(repo.toString(), null, "hi"), SessionException.Kind.UNAVAILABLE, "ANTHROPIC_API_KEY");
        // Logging in with `claude` while Burrow runs is enough: no restart.
        try (Burrow b = Burrow.start(none)) {
            assertThatThrownBy(() -> b.sessions().create(new NewSession(repo.toString(), null, "hi"), p -> { })).hasMessageContaining("/login");
            Files.createDirectories(claudeDir);
            Files.writeString(claudeDir.resolve(".credentials.json"), model.login().issue(java.time.Duration.ofHours(1)).credentialsJson());
            Session s = b.sessions().create(new NewSession(repo.toString(), null, "logged in meanwhile"), p -> { });
            Eventually.state(b, s.id(), SessionState.IDLE, Duration.ofSeconds(90));
            assertThat(model.sawText("logged in meanwhile")).isTrue();
            TestEnv.stopLive(b);
        }
    }

    @Test
    void theModelRefusingFailsTheTurnWithItsReason() throws Exception {
        // The endpoint answers but refuses: the session exists, and its turn says why it failed.
        try (Burrow burrow = Burrow.start(config())) {
            Session s = burrow.sessions().create(new NewSession(repo.toString(), null, "API_ERROR please"), p -> { });
            Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(90));
            List<String> results = burrow.sessions().events(s.id(), 0).stream().filter(e -> e.event().type().equals("result"))
                    .map(e -> e.event().json()).toList();
            assertThat(results).singleElement().asString().contains("\"is_error\":true").contains("scripted failure");
            burrow.sessions().stop(s.id());
        }
    }

    @Test
    void secretsAreNotVisibleInPodmanInspect() throws Exception {
        try (Burrow burrow = Burrow.start(config())) {
            Session s = burrow.sessions().create(new NewSession(repo.toString(), null, "hello"), p -> { });
            String inspect = TestEnv.podman("container", "inspect", burrow.sessions().get(s.id()).containerId());
            assertThat(inspect).contains("burrow.session").doesNotContain(config().apiKey());
            burrow.sessions().stop(s.id());
        }
    }
}
