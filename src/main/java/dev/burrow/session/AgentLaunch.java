package dev.burrow.session;

import dev.burrow.config.Config;
import dev.burrow.container.Caches;
import dev.burrow.container.ContainerException;
import dev.burrow.container.ContainerSpec;
import dev.burrow.container.EgressProxy;
import dev.burrow.container.Limits;
import dev.burrow.container.Mount;
import dev.burrow.container.PodmanCli;
import dev.burrow.container.HostileFiles;
import dev.burrow.container.RunDir;
import dev.burrow.container.RunOptions;
import dev.burrow.container.RunnerImage;
import dev.burrow.credentials.LoginRefresher;
import dev.burrow.gateway.ContainerTrust;
import dev.burrow.gateway.ModelGateway;
import dev.burrow.host.HostSetup;
import dev.burrow.workspace.GitCredentials;
import dev.burrow.workspace.Source;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a session's container is started: its mounts, its environment, its network, and the
 * Claude Code command line. Secrets go to a 0600 file in the run dir, never to argv or -e.
 */
final class AgentLaunch {
    static final String CONTAINER_HOME = "/home/agent";
    static final String CONTAINER_CLAUDE_DIR = CONTAINER_HOME + "/.claude";
    // The container's end of the egress proxy (runner/burrow-egress) and where its socket is mounted.
    static final int EGRESS_PORT = 3128;
    static final String EGRESS_URL = "http://127.0.0.1:" + EGRESS_PORT;

    private AgentLaunch() {
    }

    /**
     * Claude Code's command line: headless with stream-json in chat mode, interactive in
     * terminal mode (the container's main process then runs it in tmux); {@code resumeId}
     * continues an earlier conversation.
     */
    /** The container's main process, by its path: the environment's PATH is the agent's, not the container's start. */
    static final String AGENT_RUN = "/usr/local/bin/burrow-agent-run";

    static List<String> claudeArgv(SessionMode mode, String conversation, boolean resume, String model) {
        List<String> argv = new ArrayList<>(List.of(AGENT_RUN, "claude"));
        argv.addAll(AgentChannel.claudeFlags(mode));
        argv.add("--dangerously-skip-permissions");
        // The conversation's id is Burrow's own, never one the container reported.
        if (conversation != null && !conversation.isBlank()) argv.addAll(List.of(resume ? "--resume" : "--session-id", conversation));
        if (model != null && !model.isBlank()) argv.addAll(List.of("--model", model));
        return argv;
    }

    /**
     * Where the container's programs find the egress proxy: the usual variables (curl, pip,
     * npm, apt, git, Claude Code) and, because Java ignores them, the JVM's own properties.
     * burrow-agent-run also writes them into Maven's and Gradle's settings.
     */
    static Map<String, String> proxyEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) env.put(name, EGRESS_URL);
        env.put("NO_PROXY", "localhost,127.0.0.1,::1");
        env.put("no_proxy", "localhost,127.0.0.1,::1");
        env.put("BURROW_EGRESS", EGRESS_URL);
        env.put("JAVA_TOOL_OPTIONS", "-Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=" + EGRESS_PORT + " -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort="
                + EGRESS_PORT + " -Dhttp.nonProxyHosts=localhost|127.0.0.1");
        return env;
    }

    /**
     * The host's own proxy variables that a `full` session may have: only those without
     * credentials (a user:password in the URL is a secret, and the container's environment is
     * the agent's to read). Podman's own copying of them is off (--http-proxy=false).
     */
    static Map<String, String> hostProxies(Map<String, String> hostEnv) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "ftp_proxy", "no_proxy")) {
            String v = hostEnv.get(name);
            if (v == null || v.isBlank() || v.contains("@") || v.contains("\n")) continue;
            out.put(name, v);
        }
        return out;
    }

    /**
     * The rules of a session's egress proxy: its policy and the allowed hosts. The model API is
     * not among them: the container reaches it through its model gateway, under every policy.
     */
    static EgressProxy.Rules egressRules(Session s, Config config) {
        return new EgressProxy.Rules(s.network(), config.allowedHosts(), Map.of(), config.allowedPrivate());
    }

    /** The session's repository, as its caches know it: the URL it was cloned from, or the local repository. */
    static String cacheKey(Session s) {
        return Source.URL.matcher(s.repo()).matches() ? Caches.repositoryKey(s.repo(), null) : Caches.repositoryKey(null, s.source());
    }

    /**
     * Whether Claude Code saved the session's conversation (its transcript file in the Claude
     * dir), so that it can be resumed; else a resumed session starts it anew under the same id.
     * Only the name is looked at, never followed nor read: the container writes that dir.
     */
    static boolean conversationSaved(Session s) {
        String id = s.claudeSessionId();
        if (id == null || !id.matches("[0-9a-fA-F-]{36}")) return id != null && !id.isBlank();
        Path projects = s.claudeConfig().resolve("projects");
        if (!Files.isDirectory(projects, LinkOption.NOFOLLOW_LINKS)) return false;
        try (var each = Files.newDirectoryStream(projects)) {
            for (Path project : each) {
                if (Files.isRegularFile(project.resolve(id + ".jsonl"), LinkOption.NOFOLLOW_LINKS)) return true;
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    static ContainerSpec spec(Session s, Config config, String image, List<String> devices, Path podmanDir, Path netDir, boolean resume,
                              GatewayReach reach) {
        return spec(s, config, image, devices, podmanDir, netDir, resume, HostSetup.isRoot(), reach);
    }

    static ContainerSpec spec(Session s, Config config, SessionImage run, List<String> devices, Path podmanDir, Path netDir, boolean resume,
                              GatewayReach reach) {
        return spec(s, config, run, devices, podmanDir, netDir, resume, HostSetup.isRoot(), reach);
    }

    /**
     * How the container reaches the hosts whose credentials Burrow holds, through the session's
     * gateways, trusting Burrow's CA: the git host (on a port of its own loopback for a git host
     * on this machine's, else by the egress proxy, set for every policy) and the model API by its
     * host name (by the egress proxy).
     *
     * @param gitLoopbackPort the git host's port when it is on this machine's loopback, else 0
     * @param proxy           the egress proxy is the way to one of them, under every policy
     * @param trust           the trust files of the runner image, or null (nothing answered with TLS)
     */
    record GatewayReach(int gitLoopbackPort, boolean proxy, ContainerTrust.Prepared trust) {
    }

    static ContainerSpec spec(Session s, Config config, String image, List<String> devices, Path podmanDir, Path netDir, boolean resume,
                              boolean rootHost) {
        return spec(s, config, image, devices, podmanDir, netDir, resume, rootHost, null);
    }

    /**
     * {@code podmanDir}: the host dir holding the session's Podman socket, or null for none
     * (under root);
     * {@code netDir}: the one holding its egress proxy's socket (for the none and allowlist policies)
     * and its model forwarder's (for a model endpoint on the host's loopback), or null for neither.
     */
    static ContainerSpec spec(Session s, Config config, String image, List<String> devices, Path podmanDir, Path netDir, boolean resume,
                              boolean rootHost, GatewayReach reach) {
        return spec(s, config, SessionImage.runner(image), devices, podmanDir, netDir, resume, rootHost, reach);
    }

    static ContainerSpec spec(Session s, Config config, SessionImage run, List<String> devices, Path podmanDir, Path netDir, boolean resume,
                              boolean rootHost, GatewayReach reach) {
        String image = run.image();
        String home = rootHost ? CONTAINER_HOME : run.user().home();
        String claudeDir = home + "/.claude";
        Map<String, String> env = new LinkedHashMap<>();
        run.env().forEach((k, v) -> {
            // Names of Burrow's own are left out (DevcontainerJson has said so in the session).
            if (!dev.burrow.environment.Environment.burrowsVariable(k)) env.put(k, v);
        });
        env.put("HOME", home);
        env.put("CLAUDE_CONFIG_DIR", claudeDir);
        env.put("BURROW_SESSION_ID", s.id());
        env.put("BURROW_MODE", s.mode().label());
        env.put("BURROW_IDLE_TIMEOUT", String.valueOf(config.idleTimeout().toSeconds()));
        if (!config.baseUrl().isBlank() || s.network().proxied()) {
            // A gateway or local endpoint, or a policy that lets only the model API through:
            // keep Claude Code from calling other hosts it could not reach.
            env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
            env.put("DISABLE_TELEMETRY", "1");
        }
        // The model API is the session's gateway, on the container's own loopback (runner/burrow-egress
        // carries that port to the gateway's socket): the container holds a placeholder, never the credential.
        String network = null;
        env.put("BURROW_MODEL_PORT", String.valueOf(ModelGateway.CONTAINER_PORT));
        if (s.network().proxied()) {
            // No network of its own: the egress proxy, through a socket, is the only way out.
            network = "none";
            env.putAll(proxyEnv());
        }
        if (!s.network().proxied() && !env.containsKey("HTTPS_PROXY")) env.putAll(hostProxies(System.getenv()));
        List<Mount> mounts = new ArrayList<>(List.of(
                new Mount(s.workspace(), "/workspace", false),
                new Mount(s.claudeConfig(), claudeDir, false),
                new Mount(s.runDir(), RunDir.MOUNT, false),
                // Read-only, and empty until the repository's setup has ended (SecretsHandOver).
                new Mount(s.secretsDir(), RunDir.SECRETS_MOUNT, true)));
        for (Mount m : Caches.mounts(config.caches(), config.cacheScope(), cacheKey(s))) {
            // The caches sit in the agent's home, wherever the environment's user has it.
            mounts.add(m.container().startsWith(CONTAINER_HOME + "/") ? Mount.volume(m.volume(), home + m.container().substring(CONTAINER_HOME.length())) : m);
        }
        if (run.own()) mounts.add(Mount.image(run.runner(), dev.burrow.environment.EnvironmentImages.RUNNER_MOUNT));
        String workdir = run.run().workdir();
        if (!workdir.equals(dev.burrow.environment.Environment.WORKSPACE)) {
            // The agent works there (runner/burrow-agent-run goes in): a folder of the workspace, or another path it is also seen at.
            // Podman's --workdir stays /workspace: Podman would make a missing one through the links the workspace holds.
            env.put("BURROW_WORKDIR", workdir);
            if (!workdir.startsWith(dev.burrow.environment.Environment.WORKSPACE + "/")) mounts.add(new Mount(s.workspace(), workdir, false));
        }
        if (config.gitHost().hasToken()) {
            // git and gh inside read the session's placeholder from the secrets dir's github-token file, for this host only;
            // the session's git gateway puts the real token in its place.
            env.putAll(GitCredentials.helperConfig(config.gitHost(), "/usr/local/bin/burrow-git-credential"));
            if (!config.gitHost().isGitHubCom()) env.put("GH_HOST", config.gitHost().authority());
        }
        if (reach != null) {
            if (reach.gitLoopbackPort() > 0) env.put("BURROW_GIT_PORT", String.valueOf(reach.gitLoopbackPort()));
            if (reach.proxy() && !s.network().proxied()) env.putAll(proxyEnv()); // under full too: those hosts are reached through the gateways
            if (reach.trust() != null) mounts.addAll(ContainerTrust.mounts(reach.trust()));
        }
        // Read-only: the container connects to the sockets Burrow made there, and can put nothing beside them.
        if (netDir != null) mounts.add(new Mount(netDir, RunDir.NET_MOUNT, true));
        if (podmanDir != null) {
            // The image's podman (and its docker, the same) talk to the host user's rootless Podman through it.
            mounts.add(new Mount(podmanDir, "/run/podman", true));
            env.put("CONTAINER_HOST", "unix:///run/podman/podman.sock");
            env.put("DOCKER_HOST", "unix:///run/podman/podman.sock");
        }
        String name = "burrow-" + s.shortId() + "-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        // Rootless, the host user becomes the image's agent user (uid 1000), so the files it
        // writes stay the user's. Root Podman (--allow-root) has no keep-id: the agent then
        // runs as root in the container, which Claude Code accepts only when told it is sandboxed.
        String userns = rootHost ? null : run.user().keepId();
        if (rootHost) env.put("IS_SANDBOX", "1");
        // The install label: a reconcile removes only its own install's session containers, never
        // another data dir's, nor throwaway ones (saves), which have none.
        return new ContainerSpec(name, image, Map.of(PodmanCli.SESSION_LABEL, s.id(), INSTALL_LABEL, install(config)),
                userns, network, mounts, env, "/workspace", devices, config.limits(), claudeArgv(s.mode(), s.claudeSessionId(),
                resume && conversationSaved(s), config.model()), rootHost ? "root" : run.own() ? run.user().uid() + ":" + run.user().gid() : null,
                withoutCovered(run.run().options(), mounts.stream().map(Mount::container).toList()));
    }

    /**
     * The environment's tmpfs mounts less those over, or inside, one of Burrow's own mounts (a
     * cache in the agent's home, say): Podman refuses a second mount at one place, and Burrow's
     * mounts are the session's. prepareEnvironment has named each in the session.
     */
    static RunOptions withoutCovered(RunOptions options, List<String> burrowTargets) {
        List<String> kept = options.tmpfs().stream().filter(t -> covered(t, burrowTargets).isEmpty()).toList();
        return kept.size() == options.tmpfs().size() ? options
                : new RunOptions(kept, options.shmSize(), options.capDrop(), options.hosts(), options.hostname(), options.noNewPrivileges());
    }

    /** The first of Burrow's mount targets that a tmpfs at {@code tmpfs} would cover or sit in. */
    static java.util.Optional<String> covered(String tmpfs, List<String> burrowTargets) {
        return burrowTargets.stream().filter(m -> m.equals(tmpfs) || m.startsWith(tmpfs + "/") || tmpfs.startsWith(m + "/")).findFirst();
    }

    /** Where Burrow's caches are mounted for an agent whose home is {@code home}. */
    static List<String> cacheTargets(Config config, String home) {
        return Caches.mounts(config.caches()).stream().map(m -> m.container().startsWith(CONTAINER_HOME + "/")
                ? home + m.container().substring(CONTAINER_HOME.length()) : m.container()).toList();
    }

    /** The label that says which Burrow install (data dir) a session container is of. */
    static final String INSTALL_LABEL = "burrow.data";

    static String install(Config config) {
        return config.dataDir().toAbsolutePath().normalize().toString();
    }

    /**
     * A throwaway container that saves the work of a session whose container is gone: the
     * runner image, no network, nothing of the session but its workspace, read-only, and the
     * session's resource limits.
     */
    static ContainerSpec saveSpec(Session s, String image, List<String> command, Limits limits, boolean rootHost) {
        String name = "burrow-save-" + s.shortId() + "-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        return new ContainerSpec(name, image, Map.of(PodmanCli.SESSION_LABEL, s.id()), rootHost ? null : RunnerImage.KEEP_ID_USERNS, "none",
                List.of(new Mount(s.workspace(), "/workspace", true)), Map.of(), "/workspace", List.of(), limits, command, rootHost ? "root" : null);
    }

    /**
     * Makes the run dir (the input FIFO) and the secrets dir, empty: the credentials wait in the
     * pending dir until the repository's setup has ended ({@link SecretsHandOver}). The agent
     * starts once the "ready" file exists: at once when {@code ready}, else when
     * {@link #markReady} says so.
     */
    static void prepareRunDir(Session s, Config config, SessionCredentials credentials, boolean ready) {
        prepareContainerDirs(s, false);
        prepareSessionFiles(s, config, credentials, ready);
    }

    /**
     * What a container needs before it starts, none of it the session's: the Claude dir and the
     * run dir with its input FIFO, the last container's leftovers gone. {@code warm}: the
     * container waits on the claim FIFO until a session claims it ({@link WarmPool}).
     */
    static void prepareContainerDirs(Session s, boolean warm) {
        try {
            Files.createDirectories(s.claudeConfig());
            Files.createDirectories(s.runDir());
            // Made anew for every container: whatever the last one left at this name (a link, a file) goes.
            mkfifo(s.runDir().resolve(RunDir.INPUT));
            // The agent's stderr log, when the last container left something else than a file there.
            Path err = s.runDir().resolve(RunDir.ERRORS);
            if (Files.exists(err, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(err, LinkOption.NOFOLLOW_LINKS)) Files.delete(err);
            for (String name : List.of(RunDir.EXIT, RunDir.TUI_EXIT, RunDir.FIRST_PROMPT, RunDir.SETUP_FAILED, RunDir.SETUP_DONE, RunDir.IDLE,
                    RunDir.READY, RunDir.CLAIM)) {
                Files.deleteIfExists(s.runDir().resolve(name));
            }
            if (warm) mkfifo(s.runDir().resolve(RunDir.CLAIM));
            // Mounted read-only, empty until the setup has ended (SecretsHandOver).
            dev.burrow.config.PrivateDir.secure(s.secretsDir());
            for (String name : RunDir.SECRETS_NAMES) Files.deleteIfExists(s.secretsDir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkfifo(Path fifo) throws IOException {
        Files.deleteIfExists(fifo);
        try {
            Process p = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).redirectErrorStream(true).start();
            if (p.waitFor() != 0) throw new ContainerException("mkfifo failed: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted");
        }
    }

    /**
     * What is the session's: Claude Code's seeded config (with the placeholder's approval) and
     * the credentials waiting for the end of the setup. A warm container gets these only once
     * a session has claimed it. "ready" when {@code ready}.
     */
    static void prepareSessionFiles(Session s, Config config, SessionCredentials credentials, boolean ready) {
        try {
            ClaudeConfigSeed.seed(s.claudeConfig(), credentials.approvedKey(s), s.mode());
            // The host login's token comes with the other credentials, after the setup.
            credentials.checkLogin();
            Files.deleteIfExists(s.claudeConfig().resolve(LoginRefresher.FILE));
            SecretsHandOver.prepare(s, secrets(s, credentials), config.gitHost().hasToken() ? credentials.gitPlaceholder(s) : null);
            if (ready) markReady(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Terminal mode: the prompt the interactive Claude Code starts with. It waits in the run dir
     * (not in the container's command line, where `podman inspect` would keep it), and the
     * container's script passes it to Claude once.
     */
    static void writeFirstPrompt(Session s, String prompt) {
        try {
            Files.deleteIfExists(s.runDir().resolve(RunDir.FIRST_PROMPT));
            if (!HostileFiles.createNew(s.runDir().resolve(RunDir.FIRST_PROMPT), prompt)) throw new IOException("the first prompt's file is taken");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void markReady(Session s) {
        try {
            HostileFiles.createNew(s.runDir().resolve(RunDir.READY), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the container's Claude Code finds its model API: the session's gateway. */
    static final String MODEL_URL = "http://127.0.0.1:" + ModelGateway.CONTAINER_PORT;

    /** What runner/burrow-agent exports for Claude Code: NAME=VALUE lines, the model API's address and the session's placeholder. */
    static String secrets(Session s, SessionCredentials credentials) {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("ANTHROPIC_BASE_URL", MODEL_URL);
        secrets.putAll(credentials.secrets(s));
        StringBuilder sb = new StringBuilder();
        secrets.forEach((k, v) -> {
            if (v.contains("\n") || v.contains("\r")) throw new IllegalArgumentException(k + " must be a single line");
            sb.append(k).append('=').append(v).append('\n');
        });
        return sb.toString();
    }
}
