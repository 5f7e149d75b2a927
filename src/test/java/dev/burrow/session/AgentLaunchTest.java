package dev.burrow.session;

import dev.burrow.credentials.CredentialSettings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.config.Config;
import java.nio.file.Files;
import dev.burrow.container.ContainerSpec;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentLaunchTest {
    @TempDir
    Path tmp;

    Config config(String baseUrl) {
        return Config.defaults(tmp).withBaseUrl(baseUrl).withCredentials(CredentialSettings.of("sk-secret-key-value", "oauth-secret-token"))
                .withImages("", "base").withGitIdentity("N", "e@x");
    }

    SessionCredentials credentials() {
        return new SessionCredentials(new dev.burrow.credentials.ModelCredentials.ApiKey("sk-secret-key-value"),
                dev.burrow.gateway.Placeholders.loadOrCreate(tmp.resolve("gateway")));
    }

    String placeholder() {
        return credentials().placeholder(session());
    }

    Session session() {
        return Session.builder("0123abcd-0000-0000-0000-000000000000", tmp.resolve("s")).repo("/r", tmp).base(null, "c").build();
    }

    @Test
    void claudeRunsHeadlessWithStreamJsonAndResumesWhenAsked() {
        assertThat(AgentLaunch.claudeArgv(SessionMode.CHAT, null, false, "")).containsExactly("/usr/local/bin/burrow-agent-run", "claude", "-p", "--input-format", "stream-json",
                "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions");
        assertThat(AgentLaunch.claudeArgv(SessionMode.CHAT, "conv-1", true, "")).endsWith("--resume", "conv-1");
        assertThat(AgentLaunch.claudeArgv(SessionMode.CHAT, "conv-1", false, "")).endsWith("--session-id", "conv-1");
    }

    @Test
    void terminalModeRunsClaudeInteractivelyAndTellsTheContainer() {
        assertThat(AgentLaunch.claudeArgv(SessionMode.TERMINAL, "conv-1", true, "opus")).containsExactly("/usr/local/bin/burrow-agent-run", "claude",
                "--dangerously-skip-permissions", "--resume", "conv-1", "--model", "opus");
        Session terminal = session().withMode(SessionMode.TERMINAL);
        assertThat(AgentLaunch.spec(terminal, config("https://gw.example"), "img", List.of(), null, null, false, false).runArgv()).contains("BURROW_MODE=terminal")
                .doesNotContain("-p");
        assertThat(AgentLaunch.spec(session(), config("https://gw.example"), "img", List.of(), null, null, false, false).runArgv()).contains("BURROW_MODE=chat");
    }

    @Test
    void theClaudeConfigIsSeededSoNoFirstRunDialogAppearsAndWhatIsThereIsKept() throws Exception {
        Path dir = session().claudeConfig();
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(".claude.json"), "{\"numStartups\":7,\"projects\":{\"/workspace\":{\"allowedTools\":[]}}}");
        Files.writeString(dir.resolve("settings.json"), "{\"model\":\"opus\",\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"mine\"}]}]}}");
        AgentLaunch.prepareRunDir(session(), config("https://gw.example"), credentials(), true);
        AgentLaunch.prepareRunDir(session(), config("https://gw.example"), credentials(), true); // twice: nothing doubles
        var json = tools.jackson.databind.json.JsonMapper.builder().build();
        var global = json.readTree(Files.readString(dir.resolve(".claude.json")));
        assertThat(global.path("numStartups").asInt()).isEqualTo(7);
        assertThat(global.path("hasCompletedOnboarding").asBoolean()).isTrue();
        assertThat(global.path("projects").path("/workspace").path("hasTrustDialogAccepted").asBoolean()).isTrue();
        assertThat(global.path("projects").path("/workspace").has("allowedTools")).isTrue();
        // The key Claude Code sees is the session's placeholder: it is approved by its last 20 characters.
        String ph = placeholder();
        assertThat(global.path("customApiKeyResponses").path("approved").toString()).isEqualTo("[\"" + ph.substring(ph.length() - 20) + "\"]");
        var settings = json.readTree(Files.readString(dir.resolve("settings.json")));
        assertThat(settings.path("skipDangerousModePermissionPrompt").asBoolean()).isTrue();
        assertThat(settings.path("model").asString()).isEqualTo("opus");
        // A chat session: the user's own hook is kept, Burrow's (terminal mode's) are not there (ClaudeConfigSeedTest has both modes).
        assertThat(settings.path("hooks").path("Stop")).hasSize(1);
        assertThat(settings.path("hooks").toString()).contains("mine").doesNotContain("burrow-hook");
    }

    @Test
    void theHostsGpuDevicesReachTheContainerOnlyWhenGiven() {
        assertThat(AgentLaunch.spec(session(), config("https://gw.example"), "img", List.of("nvidia.com/gpu=all"), null, null, false, false).runArgv())
                .containsSequence("--device", "nvidia.com/gpu=all");
        assertThat(AgentLaunch.spec(session(), config("https://gw.example"), "img", List.of("/dev/kfd", "/dev/dri"), null, null, false, false).runArgv())
                .containsSequence("--device", "/dev/kfd", "--device", "/dev/dri");
        assertThat(AgentLaunch.spec(session(), config("https://gw.example"), "img", List.of(), null, null, false, false).runArgv()).doesNotContain("--device");
    }

    @Test
    void secretsNeverReachTheArgvOrTheEnvironment() {
        List<String> argv = AgentLaunch.spec(session(), config("https://gw.example"), "img", List.of(), null, null, false, false).runArgv();
        assertThat(String.join(" ", argv)).doesNotContain("sk-secret-key-value").doesNotContain("oauth-secret-token");
        assertThat(argv).contains("--label", "burrow.session=0123abcd-0000-0000-0000-000000000000", "--init",
                "--userns=keep-id:uid=1000,gid=1000", "img");
    }

    @Test
    void underRootPodmanTheAgentRunsAsASandboxedRoot() {
        List<String> argv = AgentLaunch.spec(session(), config("https://gw.example"), "img", List.of(), null, null, false, true).runArgv();
        assertThat(argv).noneMatch(a -> a.startsWith("--userns")).containsSequence("--user", "root").contains("IS_SANDBOX=1");
    }

    @Test
    void theSecretsWaitOwnerOnlyOutsideTheContainerUntilTheSetupIsDone() throws Exception {
        Session s = session();
        AgentLaunch.prepareRunDir(s, config("https://gw.example"), credentials(), true);
        Path pending = s.pendingSecretsDir().resolve("agent.env");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pending))).isEqualTo("rw-------");
        assertThat(Files.readString(pending)).contains("ANTHROPIC_API_KEY=" + placeholder() + "\n").contains("ANTHROPIC_BASE_URL=http://127.0.0.1:3129\n")
                .doesNotContain("sk-secret-key-value").doesNotContain("CLAUDE_CODE_OAUTH_TOKEN");
        assertThat(s.secretsDir()).isEmptyDirectory();
        assertThat(s.runDir().resolve("agent.env")).doesNotExist();

        try (SecretsHandOver handOver = SecretsHandOver.start(s, credentials())) {
            Thread.sleep(100);
            assertThat(s.secretsDir()).isEmptyDirectory(); // the setup is still running
            Files.writeString(s.runDir().resolve("setup.done"), "");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!Files.exists(s.secretsDir().resolve("ready")) && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(Files.readString(s.secretsDir().resolve("agent.env"))).contains("ANTHROPIC_API_KEY=" + placeholder()).doesNotContain("sk-secret");
            assertThat(pending).doesNotExist();
        }
        // The next container starts with an empty secrets dir again.
        AgentLaunch.prepareRunDir(s, config("https://gw.example"), credentials(), true);
        assertThat(s.secretsDir()).isEmptyDirectory();
        assertThat(s.runDir().resolve("setup.done")).doesNotExist();
    }

    @Test
    void theModelApiIsTheSessionsGatewayOnTheContainersOwnLoopbackAndTheHostsLoopbackIsNeverOpened() {
        for (String endpoint : List.of("http://127.0.0.1:8080", "https://gw.example", "")) {
            ContainerSpec spec = AgentLaunch.spec(session(), config(endpoint), "img", List.of(), null, Path.of("/tmp/net"), false, false);
            assertThat(spec.runArgv()).noneMatch(a -> a.startsWith("--network")).noneMatch(a -> a.contains("allow_host_loopback"))
                    .contains("/tmp/net:/run/burrow-net:ro");
            assertThat(spec.env()).containsEntry("BURROW_MODEL_PORT", "3129").doesNotContainKey("ANTHROPIC_BASE_URL");
            assertThat(String.join(" ", spec.runArgv())).doesNotContain("gw.example").doesNotContain("8080");
        }
    }

    @Test
    void theHostsProxyReachesAFullSessionOnlyWithoutItsCredentialsAndPodmanCopiesNothing() {
        assertThat(AgentLaunch.hostProxies(java.util.Map.of("HTTPS_PROXY", "http://user:secret@proxy.corp:3128", "HTTP_PROXY", "http://proxy.corp:3128",
                "NO_PROXY", "internal.corp", "FTP_PROXY", "ftp://u:p@x", "PATH", "/bin")))
                .containsOnlyKeys("HTTP_PROXY", "NO_PROXY").containsEntry("HTTP_PROXY", "http://proxy.corp:3128");
        assertThat(AgentLaunch.spec(session(), config("https://gw.example"), "img", List.of(), null, null, false, false).runArgv())
                .contains("--http-proxy=false");
    }

    @Test
    void anEnvironmentsWorkspaceFolderAndOptionsReachItsContainerAndItsSessionDirKeepsThem() throws Exception {
        var options = new dev.burrow.container.RunOptions(List.of("/scratch"), "1g", List.of("NET_RAW"), List.of("db:10.0.0.5"), "box", false);
        var run = new dev.burrow.environment.Environment.RunSettings(options, "/workspaces/app",
                List.of(new dev.burrow.environment.Environment.Port(3000, "Web")));
        var image = new SessionImage("a".repeat(64), "b".repeat(64), new dev.burrow.environment.AgentUser("vscode", 1000, 1000, "/home/vscode"),
                java.util.Map.of("BURROW_WORKDIR", "/etc", "X", "1"), "default", null, List.of(), run);
        Files.createDirectories(tmp.resolve("sd"));
        image.save(tmp.resolve("sd"));
        assertThat(SessionImage.load(tmp.resolve("sd"))).contains(image);
        List<String> argv = AgentLaunch.spec(session(), config("https://gw.example"), image, List.of(), null, null, false, false, null).runArgv();
        // The workspace is also seen at the folder; Podman's own working dir stays /workspace; the repository cannot set BURROW_WORKDIR.
        assertThat(argv).containsSequence("--volume", tmp.resolve("s").resolve("workspace") + ":/workspaces/app").contains("BURROW_WORKDIR=/workspaces/app")
                .doesNotContain("BURROW_WORKDIR=/etc").containsSequence("--workdir", "/workspace").containsSequence("--tmpfs", "/scratch")
                .contains("--shm-size=1g", "--cap-drop=NET_RAW", "--add-host=db:10.0.0.5", "--hostname=box");
        assertThat(argv.indexOf("--hostname=box")).isLessThan(argv.indexOf("a".repeat(64)));
    }

    @Test
    void anEnvironmentsTmpfsNeverCoversOrSitsInOneOfBurrowsMounts() {
        var options = new dev.burrow.container.RunOptions(List.of("/home/vscode/.npm", "/home/vscode/.cache", "/home/vscode/.m2/repository/x", "/scratch"),
                null, List.of(), List.of(), null, false);
        var run = new dev.burrow.environment.Environment.RunSettings(options, "/workspace", List.of());
        var image = new SessionImage("a".repeat(64), "b".repeat(64), new dev.burrow.environment.AgentUser("vscode", 1000, 1000, "/home/vscode"),
                java.util.Map.of(), "default", null, List.of(), run);
        var spec = AgentLaunch.spec(session(), config("https://gw.example"), image, List.of(), null, null, false, false, null);
        assertThat(spec.options().tmpfs()).containsExactly("/scratch");
        assertThat(AgentLaunch.cacheTargets(config(""), "/home/vscode")).contains("/home/vscode/.npm", "/home/vscode/.cache/pip");
        assertThat(AgentLaunch.covered("/home/vscode/.cache", AgentLaunch.cacheTargets(config(""), "/home/vscode"))).isPresent();
        assertThat(AgentLaunch.covered("/home/vscode/.cachet", List.of("/home/vscode/.cache/pip"))).isEmpty();
    }
}
