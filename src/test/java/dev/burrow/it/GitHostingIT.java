package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burrow.Burrow;
import dev.burrow.agent.AgentEvent;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionException;
import dev.burrow.session.SessionState;
import dev.burrow.store.StoredEvent;
import dev.burrow.web.WebOptions;
import dev.burrow.web.WebServer;
import dev.burrow.workspace.GitHost;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The git host's token, end to end, against a real git server that wants it (git's own
 * http-backend behind Basic authentication): a private repository is cloned, the session
 * branch is pushed, and git and gh inside the container get the token from its secret file.
 * GitHub itself cannot be reached from the build machines, so the pull request is not opened
 * here; what leads up to it is.
 */
class GitHostingIT {
    static final String TOKEN = "ghp_burrowTestToken0123456789abcdefABCDEF";
    @TempDir
    Path tmp;
    ScriptedModel model;
    GitHttpServer git;
    Burrow burrow;
    Path bare;

    @BeforeEach
    void start() throws Exception {
        TestEnv.requireContainers();
        model = new ScriptedModel();
        Path root = Files.createDirectories(tmp.resolve("server"));
        Path seed = TestEnv.repo(tmp.resolve("seed"));
        bare = root.resolve("org/private.git");
        Files.createDirectories(bare.getParent());
        TestEnv.git(tmp, "clone", "--bare", "--quiet", seed.toString(), bare.toString());
        TestEnv.git(bare, "config", "http.receivepack", "true");
        git = new GitHttpServer(root, TOKEN);
    }

    @AfterEach
    void stop() {
        if (burrow != null) {
            TestEnv.stopLive(burrow);
            burrow.close();
        }
        git.close();
        model.close();
    }

    Burrow burrow(String token) {
        return Burrow.start(TestEnv.config(tmp.resolve("data-" + token.length()), model)
                .withGitHost(new GitHost(URI.create(git.base()), token)));
    }

    static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aPrivateRepositoryIsClonedWithTheTokenAndTheSessionBranchPushedBack() throws Exception {
        burrow = burrow(TOKEN);
        String host = git.base().substring("http://".length());
        String command = "echo from-the-session > pushed.txt && git add pushed.txt && git commit -qm 'From the session'; "
                + "printf 'protocol=http\\nhost=" + host + "\\n\\n' | git credential fill | sed -n 's/^password=//p' | tr -d '\\n' | sha256sum; "
                + "gh auth token 2>&1 | tr -d '\\n' | sha256sum";
        Session s = burrow.sessions().create(new NewSession(git.base() + "/org/private.git", null, "BASH: " + command), p -> { });
        Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(120));
        assertThat(git.served.get()).isPositive();

        // git's credential helper and gh both find the token, read from the secret file in the run dir.
        StringBuilder out = new StringBuilder();
        for (StoredEvent e : burrow.sessions().events(s.id(), 0)) {
            if (e.event() instanceof AgentEvent.ToolResults r) out.append(r.message().toString());
        }
        String hash = sha256(TOKEN);
        assertThat(out.toString().split(hash, -1)).as("the token's hash twice in %s", out).hasSize(3);

        // Push branch, from the session page's API; the page offers both actions.
        try (WebServer server = WebServer.start(burrow, new WebOptions("127.0.0.1", 0, false, Set.of()))) {
            burrow.auth().setPassword("a long enough password");
            WebClient client = new WebClient("http://127.0.0.1:" + server.port());
            client.login("a long enough password");
            assertThat(client.get("/sessions/" + s.id()).body()).contains("Push branch", "Open PR");
            WebClient.Response pushed = client.post("/api/sessions/" + s.id() + "/push", "");
            assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
            assertThat(pushed.body()).contains(git.base() + "/org/private.git", s.branch());
            assertThat(client.get("/api/sessions/" + s.id()).body()).contains("\"pullRequest\":null");
        }
        assertThat(TestEnv.git(bare, "log", "-1", "--format=%s", s.branch())).isEqualTo("From the session");
        assertThat(burrow.sessions().events(s.id(), 0)).anySatisfy(e -> assertThat(e.event().toString()).contains("pushed " + s.branch()));

        // Nowhere but in files: not in the container's configuration, not in Burrow's git config.
        String inspect = TestEnv.podman("inspect", burrow.sessions().get(s.id()).containerId());
        assertThat(inspect).contains("burrow-git-credential").doesNotContain(TOKEN);
        try (var files = Files.walk(burrow.config().mirrorsDir())) {
            assertThat(files.filter(f -> f.getFileName().toString().equals("config")).map(f -> {
                try {
                    return Files.readString(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).noneMatch(c -> c.contains(TOKEN));
        }

        // Open PR runs gh in the session's container. There is no GitHub API here, so it fails, and says so in one line.
        SessionException failed = org.assertj.core.api.Assertions.catchThrowableOfType(SessionException.class,
                () -> burrow.sessions().publisher().openPullRequest(s.id(), "A title", null));
        assertThat(failed.kind()).isEqualTo(SessionException.Kind.UNAVAILABLE);
        assertThat(failed).hasMessageStartingWith("gh pr create failed: ").hasMessageNotContaining(TOKEN);
        System.out.println("Open PR with no GitHub to reach: " + failed.getMessage());
        assertThat(burrow.sessions().publisher().pullRequest(s.id())).isEmpty();

        // The pull request needs the repository on the git host; a local one without a remote there is refused with the fix.
        Session local = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("local")).toString(), null, "hi"), p -> { });
        Eventually.state(burrow, local.id(), SessionState.IDLE, Duration.ofSeconds(90));
        assertThatThrownBy(() -> burrow.sessions().publisher().openPullRequest(local.id(), null, null))
                .isInstanceOfSatisfying(SessionException.class, e -> assertThat(e.kind()).isEqualTo(SessionException.Kind.CONFLICT))
                .hasMessageContaining("has no origin remote");
    }

    @Test
    void withoutTheTokenThePrivateRepositoryIsRefusedAndNothingIsLeftBehind() throws Exception {
        burrow = burrow("");
        assertThatThrownBy(() -> burrow.sessions().create(new NewSession(git.base() + "/org/private.git", null, "hi"), p -> { }))
                .isInstanceOf(SessionException.class).hasMessageContaining("could not clone");
        assertThat(git.refused.get()).isPositive();
        assertThat(burrow.sessions().list()).isEmpty();
        assertThat(burrow.sessions().publisher().available()).isFalse();
    }
}
