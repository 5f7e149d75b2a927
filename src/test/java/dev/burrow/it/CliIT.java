package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.bench.ScriptedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The command line, each command a separate JVM of the real jar, as a user runs it. */
class CliIT {
    @TempDir
    Path tmp;
    ScriptedModel model;
    Path repo;
    Map<String, String> env;
    // Shaped as a real key, so that a log line printing it would be found.
    final String key = "sk-ant-api03-cli-" + java.util.UUID.randomUUID();

    @BeforeEach
    void start() throws Exception {
        TestEnv.requireContainers();
        model = new ScriptedModel();
        repo = TestEnv.repo(tmp.resolve("repo"));
        model.requireApiKey(key);
        env = Map.of("ANTHROPIC_BASE_URL", model.baseUrl(), "ANTHROPIC_API_KEY", key,
                "BURROW_DATA_DIR", tmp.resolve("data").toString(), "BURROW_GIT_NAME", "Cli Test", "BURROW_GIT_EMAIL", "cli@burrow.invalid",
                "BURROW_CACHE_SCOPE", "global");
    }

    @AfterEach
    void stop() throws Exception {
        BurrowProcess.Result list = BurrowProcess.run(env, "sessions");
        for (String line : list.stdout().lines().skip(1).toList()) {
            String id = line.split("\\s+")[0];
            if (line.contains(" idle ") || line.contains(" running ")) BurrowProcess.run(env, "stop", id);
        }
        model.close();
    }

    static String sessionId(BurrowProcess.Result r) {
        Matcher m = Pattern.compile("session (\\w{8}) \\(").matcher(r.stderr());
        assertThat(m.find()).as("session id in: %s", r.stderr()).isTrue();
        return m.group(1);
    }

    @Test
    void runStreamsTheTurnThenResumeStopAndRmWork() throws Exception {
        BurrowProcess.Result run = BurrowProcess.run(env, "run", "--repo", repo.toString(), "--json", "Say", "hi");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        var json = JsonMapper.builder().build();
        assertThat(run.stdout().lines()).allSatisfy(l -> assertThat(json.readTree(l).path("event").isObject()).isTrue());
        assertThat(run.stdout()).contains(ScriptedModel.REPLY_PREFIX + "Say hi").contains("\"type\":\"result\"");
        String id = sessionId(run);
        assertThat(run.stderr()).contains("on branch burrow/" + id).contains("is idle");
        // The process that followed the session (its model gateway put the key on) never printed it, log or output.
        assertThat(model.credentials()).isNotEmpty().containsOnly("x-api-key " + key);
        assertThat(run.stdout() + run.stderr()).doesNotContain(key);

        // The run process has exited; the session's agent is still up for an instant follow-up.
        BurrowProcess.Result follow = BurrowProcess.run(env, "resume", id,
                "BASH: echo from-cli > cli.txt && git add cli.txt && git commit -qm 'From the CLI'");
        assertThat(follow.exitCode()).as(follow.stderr()).isZero();
        assertThat(follow.stdout()).contains("* Bash: echo from-cli").contains("-- turn done");
        assertThat(TestEnv.git(repo, "log", "-1", "--format=%s|%an", "burrow/" + id)).isEqualTo("From the CLI|Cli Test");

        assertThat(BurrowProcess.run(env, "sessions").stdout()).containsPattern(id + "\\s+idle");
        BurrowProcess.Result stop = BurrowProcess.run(env, "stop", id);
        assertThat(stop.exitCode()).as(stop.stderr()).isZero();
        assertThat(BurrowProcess.run(env, "sessions").stdout()).containsPattern(id + "\\s+stopped");
        // What Burrow made is its user's alone (umask 077): the database, the sessions' dirs and
        // their bookkeeping; not what the container wrote (the workspace, the run dir, the Claude dir).
        try (var made = java.nio.file.Files.walk(tmp.resolve("data"))) {
            java.util.List<Path> paths = made.filter(p -> !p.toString().matches(".*/sessions/[^/]+/(workspace|run|claude)(/.*)?")).toList();
            assertThat(paths).hasSizeGreaterThan(3).allSatisfy(p -> assertThat(java.nio.file.Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .as(p.toString()).noneMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS")));
        }

        BurrowProcess.Result again = BurrowProcess.run(env, "resume", id, "back again");
        assertThat(again.exitCode()).as(again.stderr()).isZero();
        assertThat(again.stdout()).contains(ScriptedModel.REPLY_PREFIX + "back again");

        BurrowProcess.Result rm = BurrowProcess.run(env, "rm", id);
        assertThat(rm.exitCode()).as(rm.stderr()).isZero();
        assertThat(BurrowProcess.run(env, "sessions").stdout()).doesNotContain(id);
        assertThat(TestEnv.git(repo, "branch", "--list", "burrow/" + id)).isNotBlank();
    }

    @Test
    void withoutAnyConfiguredGitIdentityTheRepositorysOwnOrBurrowsIsUsedAndTheWorkArrives() throws Exception {
        // A new user: no BURROW_GIT_NAME/EMAIL and no global git identity; one repository has its own.
        Path noGlobal = java.nio.file.Files.writeString(tmp.resolve("empty.gitconfig"), "");
        Map<String, String> bare = Map.of("ANTHROPIC_BASE_URL", model.baseUrl(), "ANTHROPIC_API_KEY", key,
                "BURROW_DATA_DIR", tmp.resolve("data").toString(), "GIT_CONFIG_GLOBAL", noGlobal.toString(), "BURROW_CACHE_SCOPE", "global");
        TestEnv.git(repo, "config", "user.name", "Repo Owner");
        TestEnv.git(repo, "config", "user.email", "owner@example.com");
        Path plain = TestEnv.repo(tmp.resolve("plain"));
        String work = "BASH: echo x > a.txt && git add a.txt && git commit -qm 'By the agent' && echo dirty > b.txt";

        BurrowProcess.Result own = BurrowProcess.run(bare, "run", "--repo", repo.toString(), work);
        assertThat(own.exitCode()).as(own.stderr()).isZero();
        String id = sessionId(own);
        assertThat(TestEnv.git(repo, "log", "-1", "--format=%s|%an <%ae>", "burrow/" + id)).isEqualTo("By the agent|Repo Owner <owner@example.com>");
        assertThat(TestEnv.git(repo, "show", "refs/burrow/snapshots/" + id + ":b.txt")).isEqualTo("dirty");

        BurrowProcess.Result none = BurrowProcess.run(bare, "run", "--repo", plain.toString(), work);
        assertThat(none.exitCode()).as(none.stderr()).isZero();
        String other = sessionId(none);
        assertThat(TestEnv.git(plain, "log", "-1", "--format=%s|%an <%ae>", "burrow/" + other)).matches("By the agent\\|Burrow <burrow@[a-z0-9.-]+>");
        assertThat(TestEnv.git(plain, "show", "refs/burrow/snapshots/" + other + ":b.txt")).isEqualTo("dirty");
        assertThat(none.stdout() + none.stderr()).contains("commits in this session are by Burrow <burrow@");
        assertThat(BurrowProcess.run(bare, "doctor").stdout()).containsPattern("git identity +Burrow <burrow@[a-z0-9.-]+> \\(Burrow's own");
    }

    @Test
    void theProductJarCarriesNoScriptedModelAndBenchIsItsOwnJar() throws Exception {
        try (var jar = new java.util.jar.JarFile(BurrowProcess.jar().toFile())) {
            assertThat(jar.stream().map(java.util.jar.JarEntry::getName)).noneMatch(n -> n.startsWith("dev/burrow/bench/"));
        }
        try (var bench = new java.util.jar.JarFile(BurrowProcess.jar().resolveSibling("burrow-bench.jar").toFile())) {
            assertThat(bench.getEntry("dev/burrow/bench/ScriptedModel.class")).isNotNull();
        }
        BurrowProcess.Result r = BurrowProcess.run(env, "bench", "start");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("run them with ./burrow bench");
    }

    @Test
    void badInputGetsOneClearLineAndANonZeroExit() throws Exception {
        BurrowProcess.Result missing = BurrowProcess.run(env, "run", "--repo", tmp.resolve("nope").toString(), "do", "it");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr().strip()).startsWith("burrow: ").contains("does not exist").doesNotContain("\n");

        BurrowProcess.Result empty = BurrowProcess.run(env, "run", "--repo", repo.toString());
        assertThat(empty.exitCode()).isNotZero();
        assertThat(empty.stderr()).contains("prompt is empty");

        BurrowProcess.Result network = BurrowProcess.run(env, "run", "--network", "open", "--repo", repo.toString(), "do", "it");
        assertThat(network.exitCode()).isNotZero();
        assertThat(network.stderr().strip()).contains("the network policy must be full, none or allowlist").doesNotContain("\n");

        BurrowProcess.Result failedTurn = BurrowProcess.run(env, "run", "--repo", repo.toString(), "API_ERROR");
        assertThat(failedTurn.exitCode()).isNotZero();
        assertThat(failedTurn.stderr()).contains("the turn failed");
    }

    @Test
    void doctorSaysWhichCredentialsAndNetworkPolicySessionsGetAndNeverTheSecret() throws Exception {
        var login = model.login().issue(java.time.Duration.ofHours(3));
        Path claudeDir = java.nio.file.Files.createDirectories(tmp.resolve("home/.claude"));
        java.nio.file.Files.writeString(claudeDir.resolve(".credentials.json"), login.credentialsJson());
        Map<String, String> withLogin = new java.util.HashMap<>(env);
        withLogin.remove("ANTHROPIC_API_KEY");
        withLogin.put("BURROW_CLAUDE_DIR", claudeDir.toString());
        withLogin.put("BURROW_NETWORK", "allowlist");
        withLogin.put("BURROW_ALLOWED_HOSTS", "pypi.org,*.example.org");
        withLogin.put("BURROW_GITHUB_TOKEN", "ghp_doctorMustNotShowThis");
        BurrowProcess.Result doctor = BurrowProcess.run(withLogin, "doctor");
        String report = doctor.stdout() + doctor.stderr();
        assertThat(report).contains("the Claude login in " + claudeDir, "max plan", "Burrow renews it");
        assertThat(report).contains("new sessions: allowlist", "pypi.org, *.example.org");
        assertThat(report).contains("a token for github.com");
        assertThat(report).doesNotContain(login.accessToken()).doesNotContain(login.refreshToken()).doesNotContain("ghp_doctorMustNotShowThis");
    }

    @Test
    void serveBindTailscaleListensOnTheTailnetAddressAnswersToItsMagicDnsNameOrSaysWhyNot() throws Exception {
        // A tailscale CLI as the machine has it: absent, stopped, then up (its "tailnet address" is loopback here).
        Path fakeBin = Files.createDirectories(tmp.resolve("fake-bin"));
        Map<String, String> withFake = new java.util.HashMap<>(env);
        withFake.put("PATH", fakeBin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        BurrowProcess.Result absent = BurrowProcess.run(withFake, "serve", "--bind", "tailscale", "--port", "0");
        assertThat(absent.exitCode()).isEqualTo(1);
        assertThat(absent.stderr().strip()).startsWith("burrow: --bind tailscale: the tailscale command is not installed").doesNotContain("Exception");
        Path tailscale = fakeBin.resolve("tailscale");
        Files.writeString(tailscale, "#!/bin/sh\necho 'Tailscale is stopped.' >&2\nexit 1\n");
        Files.setPosixFilePermissions(tailscale, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        BurrowProcess.Result stopped = BurrowProcess.run(withFake, "serve", "--bind", "tailscale", "--port", "0");
        assertThat(stopped.stderr().strip()).isEqualTo("burrow: --bind tailscale: Tailscale is not up (tailscale ip -4: Tailscale is stopped.);"
                + " run `sudo tailscale up`, then start Burrow again");
        Files.writeString(tailscale, """
                #!/bin/sh
                case "$1" in
                  ip) echo 127.0.0.1 ;;
                  status) echo '{"Self":{"DNSName":"burrow-box.tail5e1f.ts.net.","HostName":"burrow-box"}}' ;;
                esac
                """);
        Process serve = BurrowProcess.builder(withFake, "serve", "--bind", "tailscale", "--port", "0").redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(serve.getInputStream()))) {
            String line = null;
            for (String l; (l = out.readLine()) != null; ) {
                if (l.startsWith("Burrow is serving ")) {
                    line = l;
                    break;
                }
            }
            assertThat(line).matches("Burrow is serving http://127\\.0\\.0\\.1:(\\d+)/ \\(on your tailnet: http://burrow-box\\.tail5e1f\\.ts\\.net:\\1/\\)");
            int port = Integer.parseInt(line.replaceAll(".*127\\.0\\.0\\.1:(\\d+)/.*", "$1"));
            assertThat(statusFor(port, "burrow-box.tail5e1f.ts.net:" + port)).isEqualTo(200);
            assertThat(statusFor(port, "burrow-box:" + port)).isEqualTo(200);
            assertThat(statusFor(port, "rebound.example.net:" + port)).isEqualTo(421);
        } finally {
            serve.destroy();
            serve.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** The status of GET /healthz sent with this Host header (Java's HTTP client will not set it). */
    private static int statusFor(int port, String host) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String first = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream())).readLine();
            return Integer.parseInt(first.split(" ")[1]);
        }
    }

    @Test
    void runHandsItsSessionToTheServerOfTheSameDataDirWhichStartsItFromAWarmContainer() throws Exception {
        Map<String, String> warm = new java.util.HashMap<>(env);
        warm.put("BURROW_WARM", "1");
        Path data = tmp.resolve("data");
        Process serve = BurrowProcess.builder(warm, "serve", "--port", "0").redirectErrorStream(true).start();
        StringBuilder served = new StringBuilder();
        Thread.ofPlatform().daemon().start(() -> {
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(serve.getInputStream()))) {
                for (String line; (line = out.readLine()) != null; ) synchronized (served) { served.append(line).append('\n'); }
            } catch (java.io.IOException ignored) {
                // the server ended
            }
        });
        try {
            Path file = data.resolve("serve.json");
            Eventually.await(java.time.Duration.ofSeconds(60), "the server's file", () -> Files.exists(file));
            assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                    java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            String token = JsonMapper.builder().build().readTree(Files.readString(file)).path("token").asString();

            BurrowProcess.Result first = BurrowProcess.run(env, "run", "--repo", repo.toString(), "--json", "Say", "hi");
            assertThat(first.exitCode()).as(first.stderr()).isZero();
            assertThat(first.stderr()).contains("is made by the server at http://127.0.0.1:").contains("is idle");
            assertThat(first.stdout()).contains(ScriptedModel.REPLY_PREFIX + "Say hi").contains("\"type\":\"result\"");

            // The server keeps a warm container for that repository now; the next run claims it, under its id.
            Path sessions = data.resolve("sessions");
            Eventually.await(java.time.Duration.ofSeconds(90), "a warm container", () -> warmSession(sessions) != null);
            String warmId = warmSession(sessions);
            BurrowProcess.Result second = BurrowProcess.run(env, "run", "--repo", repo.toString(), "BASH: echo from-warm > warm.txt && git add warm.txt && git commit -qm 'Warm'");
            assertThat(second.exitCode()).as(second.stderr()).isZero();
            assertThat(second.stdout()).contains("* Bash: echo from-warm").contains("-- turn done");
            assertThat(warmId).startsWith(sessionId(second));
            assertThat(TestEnv.git(repo, "log", "-1", "--format=%s", "burrow/" + sessionId(second))).isEqualTo("Warm");
            synchronized (served) {
                assertThat(served.toString()).doesNotContain(token);
            }
        } finally {
            serve.destroy();
            serve.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        // Gone with its server: run starts its session itself again.
        assertThat(data.resolve("serve.json")).doesNotExist();
        BurrowProcess.Result alone = BurrowProcess.run(env, "run", "--repo", repo.toString(), "Say", "alone");
        assertThat(alone.exitCode()).as(alone.stderr()).isZero();
        assertThat(alone.stderr()).doesNotContain("made by the server");
        assertThat(alone.stdout()).contains(ScriptedModel.REPLY_PREFIX + "Say alone");
    }

    /** The id of the session a warm container waits for (its dir's marker), or null. */
    private static String warmSession(Path sessions) throws java.io.IOException {
        if (!Files.isDirectory(sessions)) return null;
        try (var dirs = Files.list(sessions)) {
            return dirs.filter(d -> Files.exists(d.resolve("warm"))).map(d -> d.getFileName().toString()).findFirst().orElse(null);
        }
    }

    @Test
    void serveBindsToLoopbackAndAnswersTheApi() throws Exception {
        Process passwd = BurrowProcess.builder(env, "passwd", "--stdin").redirectErrorStream(true).start();
        passwd.getOutputStream().write("cli password 1234\n".getBytes());
        passwd.getOutputStream().close();
        assertThat(new String(passwd.getInputStream().readAllBytes())).contains("password set");
        assertThat(passwd.waitFor()).isZero();
        BurrowProcess.Result token = BurrowProcess.run(env, "token", "create", "ci");
        assertThat(token.exitCode()).as(token.stderr()).isZero();
        String bearer = token.stdout().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(BurrowProcess.run(env, "token", "list").stdout()).contains("ci").doesNotContain(bearer);

        Process serve = BurrowProcess.builder(env, "serve", "--port", "0").redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(serve.getInputStream()))) {
            String url = null;
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("Burrow is serving ")) {
                    url = line.substring("Burrow is serving ".length()).strip();
                    break;
                }
            }
            assertThat(url).startsWith("http://127.0.0.1:");
            var http = java.net.http.HttpClient.newHttpClient();
            var anonymous = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "api/sessions")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            var list = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "api/sessions"))
                    .header("Authorization", "Bearer " + bearer).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).isEqualTo("[]");
            var missing = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "api/sessions/nope"))
                    .header("Authorization", "Bearer " + bearer).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).contains("\"error\"");
        } finally {
            serve.destroy();
            serve.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void attachGivesThisTerminalTheSessionsShellWithoutTheSequencesThatReachBeyondTheScreen() throws Exception {
        // The agent leaves a job behind that turns on its tmux's clipboard and passthrough and
        // writes clipboard sequences (plain and passed through) into every pane, over and over.
        String attack = """
                for i in $(seq 240); do
                  tmux set -g set-clipboard on 2>/dev/null; tmux set -g allow-passthrough on 2>/dev/null
                  for t in $(tmux list-panes -a -F '#{pane_tty}' 2>/dev/null); do
                    printf '\\033]52;c;UFdORUQ=\\007\\033Ptmux;\\033\\033]52;c;UFdORUQ=\\007\\033\\\\' > "$t"
                  done
                  sleep 0.25
                done
                """;
        String b64 = java.util.Base64.getEncoder().encodeToString(attack.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        BurrowProcess.Result run = BurrowProcess.run(env, "run", "--repo", repo.toString(),
                "BASH: echo " + b64 + " | base64 -d > /tmp/osc.sh && (setsid nohup sh /tmp/osc.sh > /dev/null 2>&1 < /dev/null &) && echo planted");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        String id = sessionId(run);
        OnPty pty = onPty("attach", id, "--shell");
        Thread.sleep(2000);
        pty.type("echo attached-$((2*21)) $(pwd)\r");
        Eventually.await(java.time.Duration.ofSeconds(30), "the shell's output", () -> pty.screen.toString().contains("attached-42 /workspace"));
        Thread.sleep(2000); // several rounds of the attack while attached
        pty.detach();
        assertThat(pty.screen.toString()).doesNotContain("\u001b]52").doesNotContain("UFdORUQ=").doesNotContain("\u001bP");
        assertThat(BurrowProcess.run(env, "sessions").stdout()).containsPattern(id + "\\s+idle");
    }

    @Test
    void runTuiShowsClaudeCodesOwnScreenInThisTerminalAndModeSwitchesTheSessionToChat() throws Exception {
        // Under the none policy the model is reached only through the egress proxy of the process that follows the session.
        OnPty run = onPty("run", "--tui", "--network", "none", "--repo", repo.toString(), "first words from the cli");
        // tmux draws a single space as "cursor forward".
        Eventually.await(java.time.Duration.ofSeconds(120), "Claude's answer on its own screen",
                () -> run.screen.toString().replace("\u001b[C", " ").contains(ScriptedModel.REPLY_PREFIX + "first words from the cli"));
        run.detach();
        Matcher m = Pattern.compile("session (\\w{8}) \\(").matcher(run.screen);
        assertThat(m.find()).as(run.screen.toString()).isTrue();
        String id = m.group(1);

        // Attached again from a new process, which follows the session while it is attached.
        OnPty again = onPty("attach", id);
        Thread.sleep(3000);
        again.type("typed after attaching again");
        Thread.sleep(500);
        again.type("\r");
        Eventually.await(java.time.Duration.ofSeconds(60), "the answer through the new process's proxy",
                () -> again.screen.toString().replace("\u001b[C", " ").contains(ScriptedModel.REPLY_PREFIX + "typed after attaching again"));
        again.detach();

        BurrowProcess.Result toChat = BurrowProcess.run(env, "mode", id, "chat");
        assertThat(toChat.exitCode()).as(toChat.stderr()).isZero();
        assertThat(toChat.stderr()).contains("chat mode");
        BurrowProcess.Result attach = BurrowProcess.run(env, "attach", id);
        assertThat(attach.exitCode()).isNotZero();
        assertThat(attach.stderr()).contains("runs in chat mode", "--shell");
        BurrowProcess.Result resume = BurrowProcess.run(env, "resume", id, "what did I say first?");
        assertThat(resume.exitCode()).as(resume.stderr()).isZero();
        assertThat(model.requests().getLast().path("messages").toString()).contains("first words from the cli", "what did I say first?");
    }

    /** A Burrow command on a real PTY, as a user's terminal runs it. */
    private OnPty onPty(String... args) throws Exception {
        java.util.List<String> argv = BurrowProcess.builder(env, args).command();
        java.util.Map<String, String> ptyEnv = new java.util.HashMap<>(System.getenv());
        ptyEnv.keySet().removeIf(k -> k.startsWith("ANTHROPIC_") || k.startsWith("BURROW_"));
        ptyEnv.putAll(env);
        ptyEnv.put("TERM", "xterm-256color");
        com.pty4j.PtyProcess pty = new com.pty4j.PtyProcessBuilder(argv.toArray(String[]::new)).setEnvironment(ptyEnv)
                .setInitialColumns(100).setInitialRows(30).start();
        OnPty on = new OnPty(pty, new StringBuffer());
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[8192];
            try (var in = pty.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) on.screen.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        return on;
    }

    private record OnPty(com.pty4j.PtyProcess process, StringBuffer screen) {
        void type(String keys) throws java.io.IOException {
            process.getOutputStream().write(keys.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        /** Ctrl-b d: tmux detaches, and the command ends by itself. */
        void detach() throws Exception {
            type("\u0002d");
            assertThat(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(screen.toString()).isZero();
        }
    }
}
