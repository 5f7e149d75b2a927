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
 * http-backend behind Basic authentication, with a request recorder standing in for the REST
 * API): a private repository is cloned, and the session's git and API calls go through its git
 * gateway, which puts the token on only what the session's scope allows; the container holds
 * a placeholder. GitHub itself cannot be reached from the build machines.
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
    void aPrivateRepositoryIsClonedAndTheSessionsGitAndApiCallsGetTheTokenOnlyWhereItsScopeAllows() throws Exception {
        burrow = burrow(TOKEN);
        String url = git.base() + "/org/private.git";
        String host = git.base().substring("http://".length());
        String ph = "$(cat /run/burrow-secrets/github-token)";
        Session s = burrow.sessions().create(new NewSession(url, null, "hi"), p -> { });
        Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(120));
        // Inside, as a prompt-injected agent would: push its branch (passes), then main, another session's branch and
        // another repository; read the API for its repository, another one, and try to delete its own.
        String command = "echo from-the-session > pushed.txt && git add pushed.txt && git commit -qm 'From the session'; "
                + "git push -q " + url + " HEAD:refs/heads/" + s.branch() + " > /tmp/own 2>&1; echo own-push=$?; "
                + "git push " + url + " HEAD:refs/heads/main 2>&1 | grep -o 'remote rejected.*'; "
                + "git push " + url + " HEAD:refs/heads/burrow/0therses 2>&1 | grep -o 'remote rejected.*'; "
                + "git push " + git.base() + "/org/other.git HEAD:refs/heads/" + s.branch() + " 2>&1 | grep -o 'burrow: .*'; "
                + "printf 'protocol=http\\nhost=" + host + "\\n\\n' | git credential fill | sed -n 's/^password=/helper=/p'; "
                + "echo gh=$(gh auth token 2>&1); "
                + "curl -sS -H \"Authorization: token " + ph + "\" " + git.base() + "/api/v3/repos/org/private; echo; "
                + "curl -sS -H \"Authorization: token " + ph + "\" " + git.base() + "/api/v3/repos/org/other; "
                + "curl -sS -X DELETE -H \"Authorization: token " + ph + "\" " + git.base() + "/api/v3/repos/org/private";
        burrow.sessions().send(s.id(), "BASH: " + command);
        Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(120));
        StringBuilder out = new StringBuilder();
        for (StoredEvent e : burrow.sessions().events(s.id(), 0)) {
            if (e.event() instanceof AgentEvent.ToolResults r) out.append(r.message().toString());
        }
        String seen = out.toString();
        System.out.println("The agent's pushes and API calls: " + seen);

        // Its branch went out with the real token, put on by the gateway; main and the other session's branch did not.
        assertThat(seen).contains("own-push=0");
        assertThat(TestEnv.git(bare, "log", "-1", "--format=%s", s.branch())).isEqualTo("From the session");
        assertThat(TestEnv.git(bare, "log", "-1", "--format=%s", "main")).isEqualTo("init");
        assertThat(TestEnv.git(bare, "branch", "--list", "burrow/0therses")).isEmpty();
        assertThat(seen).contains("remote rejected] HEAD -> main (burrow: this session pushes only to refs/heads/" + s.branch() + ")")
                .contains("remote rejected] HEAD -> burrow/0therses (burrow: this session pushes only to refs/heads/" + s.branch() + ")")
                .contains("burrow: this session pushes only to its own repository org/private, not org/other");
        assertThat(git.gitCredentials).filteredOn(c -> !c.equals("null")).isNotEmpty()
                .allMatch(c -> c.equals("Basic " + java.util.Base64.getEncoder().encodeToString(("x-access-token:" + TOKEN).getBytes(StandardCharsets.UTF_8))));
        // git and gh inside have the placeholder only.
        assertThat(seen).containsPattern("helper=burrow-session-[A-Za-z0-9_-]{43}").containsPattern("gh=burrow-session-[A-Za-z0-9_-]{43}");
        // The API: its repository read with the token; the other repository and the delete never left the gateway.
        assertThat(seen).contains("\\\"default_branch\\\":\\\"main\\\"")
                .contains("burrow: this session's GitHub token is only sent with API calls for org/private")
                .contains("burrow: this session's GitHub token may read org/private");
        assertThat(git.api).containsExactly("GET /api/v3/repos/org/private auth=token " + TOKEN + " body=");

        // Push branch and Open PR, from the session page's API: Burrow's own, from the host, with the real token.
        try (WebServer server = WebServer.start(burrow, new WebOptions("127.0.0.1", 0, false, Set.of()))) {
            burrow.auth().setPassword("a long enough password");
            WebClient client = new WebClient("http://127.0.0.1:" + server.port());
            client.login("a long enough password");
            assertThat(client.get("/sessions/" + s.id()).body()).contains("Push branch", "Open PR");
            WebClient.Response pushed = client.post("/api/sessions/" + s.id() + "/push", "");
            assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
            assertThat(pushed.body()).contains(url, s.branch());
            WebClient.Response pr = client.post("/api/sessions/" + s.id() + "/pull-request", "{\"title\":\"A title\"}");
            assertThat(pr.status()).as(pr.body()).isEqualTo(201);
            assertThat(pr.body()).contains(git.base() + "/org/private/pull/1");
            assertThat(client.get("/api/sessions/" + s.id()).body()).contains("\"pullRequest\":\"" + git.base() + "/org/private/pull/1\"");
        }
        assertThat(git.api).hasSize(3).last().asString().startsWith("POST /api/v3/repos/org/private/pulls auth=token " + TOKEN)
                .contains("\"head\":\"" + s.branch() + "\"").contains("\"base\":\"main\"").contains("\"title\":\"A title\"");
        assertThat(burrow.sessions().events(s.id(), 0)).anySatisfy(e -> assertThat(e.event().toString()).contains("pushed " + s.branch()));

        // Nowhere but on the host: not in the container, not in Burrow's git config.
        SecretScan.assertNowhereInTheBox(burrow, burrow.sessions().get(s.id()), TOKEN, tmp.resolve("data-" + TOKEN.length()));
        try (var files = Files.walk(burrow.config().mirrorsDir())) {
            assertThat(files.filter(f -> f.getFileName().toString().equals("config")).map(f -> {
                try {
                    return Files.readString(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).noneMatch(c -> c.contains(TOKEN));
        }

        // The pull request needs the repository on the git host; a local one without a remote there is refused with the fix.
        Session local = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("local")).toString(), null, "hi"), p -> { });
        Eventually.state(burrow, local.id(), SessionState.IDLE, Duration.ofSeconds(90));
        assertThatThrownBy(() -> burrow.sessions().publisher().openPullRequest(local.id(), null, null))
                .isInstanceOfSatisfying(SessionException.class, e -> assertThat(e.kind()).isEqualTo(SessionException.Kind.CONFLICT))
                .hasMessageContaining("has no origin remote");
    }

    @Test
    void overHttpsTheGatewayAnswersForTheGitHostThroughTheProxyAndTheContainersToolsTrustBurrowsCa() throws Exception {
        // The git host over HTTPS at this machine's own address (so the container reaches it through its proxy, as it
        // would github.com), its certificate signed by a test CA that Burrow is told to trust.
        String own = TestEnv.machineAddress();
        javax.net.ssl.SSLContext tls = TestEnv.testCaServer(tmp.resolve("test-ca"), own);
        git.close();
        git = new GitHttpServer(tmp.resolve("server"), TOKEN, java.net.InetAddress.getByName(own), tls);
        String url = git.base() + "/org/private.git";
        String api = git.base() + "/api/v3/repos/org/private";
        // The session's repository is a local one whose origin is on the git host.
        Path local = TestEnv.repo(tmp.resolve("local"));
        Files.writeString(local.resolve("Fetch.java"), """
                public class Fetch {
                    public static void main(String[] a) throws Exception {
                        var c = (java.net.HttpURLConnection) java.net.URI.create(a[0]).toURL().openConnection();
                        System.out.println("java=" + c.getResponseCode());
                    }
                }
                """);
        TestEnv.git(local, "add", ".");
        TestEnv.git(local, "-c", "user.name=T", "-c", "user.email=t@t", "commit", "-q", "-m", "fetch");
        TestEnv.git(local, "remote", "add", "origin", url);
        burrow = Burrow.start(TestEnv.config(tmp.resolve("data-https"), model).withGitHost(new GitHost(URI.create(git.base()), TOKEN))
                .withUpstreamCa(tmp.resolve("test-ca/ca.crt")));
        String token = "$(cat /run/burrow-secrets/github-token)";
        String command = "git ls-remote " + url + " 2>&1 | grep -o 'refs/heads/main'; "
                + "curl -sS -H \"Authorization: token " + token + "\" " + api + "; echo; "
                + "echo gh=$(gh api repos/org/private --jq .default_branch 2>&1); "
                + "echo pr=$(gh pr create -R org/private -t 'From gh' -b 'Opened in the session' 2>&1); "
                + "echo graphql=$(gh pr list -R org/private 2>&1 | head -c 300); "
                + "python3 -c 'import sys, urllib.request as u; r = u.Request(sys.argv[1], headers={\"Authorization\": \"token \" + sys.argv[2]}); "
                + "print(\"python=\" + u.urlopen(r).read().decode())' " + api + " " + token + "; "
                + "java /workspace/Fetch.java " + api + " 2>&1 | grep -v Picked";
        Session s = burrow.sessions().create(new NewSession(local.toString(), null, "BASH: " + command), p -> { });
        Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(120));
        StringBuilder out = new StringBuilder();
        for (StoredEvent e : burrow.sessions().events(s.id(), 0)) {
            if (e.event() instanceof AgentEvent.ToolResults r) out.append(r.message().toString());
        }
        String seen = out.toString();
        System.out.println("Over HTTPS through the gateway: " + seen);
        // git, curl, gh, Python and Java all took Burrow's leaf for the git host, and those that presented the placeholder got the token on.
        assertThat(seen).contains("refs/heads/main").contains("gh=main").contains("python={\\\"full_name\\\"").contains("java=401");
        assertThat(seen.split("default_branch", -1)).as("curl and python read the repository").hasSizeGreaterThanOrEqualTo(3);
        assertThat(git.gitCredentials).filteredOn(c -> !c.equals("null")).isNotEmpty()
                .allMatch(c -> c.equals("Basic " + java.util.Base64.getEncoder().encodeToString(("x-access-token:" + TOKEN).getBytes(StandardCharsets.UTF_8))));
        assertThat(git.api).filteredOn(r -> r.contains("auth=token " + TOKEN)).hasSizeGreaterThanOrEqualTo(3);
        // gh pr create, through the REST API from the session's branch; gh's GraphQL (gh pr list) is refused.
        assertThat(seen).contains("pr=" + git.base() + "/org/private/pull/1").contains("graphql=HTTP 403: burrow: GraphQL is not available");
        assertThat(git.api).anySatisfy(r -> assertThat(r).startsWith("POST /api/v3/repos/org/private/pulls auth=token " + TOKEN)
                .contains("\"head\":\"" + s.branch() + "\"").contains("\"base\":\"main\"").contains("\"title\":\"From gh\""));
        assertThat(git.api).allMatch(r -> r.contains("auth=token " + TOKEN) || r.contains("auth=null"));
        SecretScan.assertNowhereInTheBox(burrow, burrow.sessions().get(s.id()), TOKEN, tmp.resolve("data-https"));
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
