package dev.burrow.host;

import dev.burrow.config.Config;
import dev.burrow.container.Allowlist;
import dev.burrow.container.Caches;
import dev.burrow.container.Commands;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ExecResult;
import dev.burrow.container.ProcessRunner;
import dev.burrow.container.RunnerImage;
import dev.burrow.credentials.ModelCredentials;
import dev.burrow.workspace.GitIdentity;
import dev.burrow.workspace.Workspaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** `./burrow doctor`: each check with its result and, for a failure, the fix. */
public final class Doctor {

    /** One line of the report. {@code required} failures make the doctor (and the test suite) fail. */
    public record Check(String name, boolean ok, boolean required, String result, String fix) {
        public String line() {
            String mark = ok ? "ok  " : required ? "FAIL" : "warn";
            return String.format("%s %-22s %s%s", mark, name, result, ok || fix.isEmpty() ? "" : "\n       fix: " + fix);
        }
    }

    private final Config config;
    private final ContainerEngine engine;
    private final String image;
    private final Commands commands = new Commands(ProcessRunner.SYSTEM);

    public Doctor(Config config, ContainerEngine engine, String image) {
        this.config = config;
        this.engine = engine;
        this.image = image;
    }

    public List<Check> run() {
        List<Check> checks = new ArrayList<>();
        String version;
        try {
            version = engine.version();
            checks.add(new Check("podman", true, true, "version " + version, ""));
        } catch (RuntimeException e) {
            checks.add(new Check("podman", false, true, e.getMessage(),
                    "install it: apt-get install -y podman runc uidmap slirp4netns (./burrow serve does this when run as root)"));
            return checks;
        }
        Map<String, String> info;
        try {
            info = engine.info();
        } catch (RuntimeException e) {
            checks.add(new Check("podman info", false, true, e.getMessage(), "run `podman info` to see what is wrong; `podman system migrate` often fixes a new user's setup"));
            return checks;
        }
        boolean rootless = Boolean.parseBoolean(info.get("rootless"));
        checks.add(new Check("rootless", rootless, false, rootless ? "yes" : "no: running as root",
                "run Burrow as a normal user; a container that can reach a root Podman socket is root on the host"));
        String driver = info.get("storageDriver");
        checks.add(new Check("storage driver", "overlay".equals(driver), false, driver,
                "vfs copies the whole image per container (seconds per start): put [storage] driver = \"overlay\" in ~/.config/containers/storage.conf, then `podman system reset`"));
        checks.add(new Check("OCI runtime", true, false, info.get("ociRuntime") + " (cgroups " + info.get("cgroupVersion") + ")", ""));

        boolean hasImage = engine.imageExists(image);
        checks.add(new Check("runner image", hasImage, true, hasImage ? image : image + " is missing", "./burrow image build"));
        if (hasImage) {
            long start = System.nanoTime();
            ExecResult r = commands.run(RunnerImage.claudeVersionArgv(image, "doctor"), 300);
            double s = (System.nanoTime() - start) / 1e9;
            checks.add(new Check("container run", r.ok(), true, r.ok() ? String.format("%.2f s for a trivial container", s) : r.firstErrorLine(),
                    runFix(r.firstErrorLine())));
            if (r.ok()) checks.add(new Check("Claude Code", true, true, r.stdout().strip(), ""));
        }
        ModelCredentials creds = ModelCredentials.resolve(config.credentials());
        checks.add(new Check("model credentials", !(creds instanceof ModelCredentials.None), false, creds.describe(),
                creds instanceof ModelCredentials.None none ? none.fix() : ""));
        checks.add(new Check("model endpoint", true, false, config.baseUrl().isBlank() ? "Anthropic (default)" : config.baseUrl(), ""));
        String fingerprint = dev.burrow.gateway.BurrowCa.fingerprintIfMade(config.dataDir().resolve("ca"));
        checks.add(new Check("model gateway", true, false, "sessions hold a placeholder; each session's gateway puts the real credential on its model "
                + "requests to " + (config.baseUrl().isBlank() ? "https://api.anthropic.com" : config.baseUrl()) + "; Burrow's CA: "
                + (fingerprint == null ? "not made yet" : "SHA-256 " + fingerprint), ""));
        GitIdentity who = new Workspaces(commands, config.mirrorsDir()).identity(config.gitName(), config.gitEmail(), null);
        boolean own = !who.origin().contains(GitIdentity.FALLBACK);
        checks.add(new Check("git identity", own, false, who + (own ? "; a repository's own user.name/email comes first" : ""),
                "set BURROW_GIT_NAME and BURROW_GIT_EMAIL, or git config --global user.name/user.email"));
        checks.add(new Check("git host", true, false, config.gitHost().hasToken()
                ? "a token for " + config.gitHost().authority() + " (private clones, Push branch, Open PR)"
                : "no token: public repositories only (set BURROW_GITHUB_TOKEN for private ones, Push branch and Open PR)", ""));
        checks.add(new Check("network", true, false, "new sessions: " + config.network().label() + " (of full, none, allowlist); allowlist: the model API and "
                + (config.allowedHosts().equals(Allowlist.DEFAULT)
                        ? "the default " + config.allowedHosts().hosts().size() + " package registries and git hosts (BURROW_ALLOWED_HOSTS)"
                        : config.allowedHosts().toString()), ""));
        boolean nft = dev.burrow.container.EgressFirewall.nft().isPresent();
        checks.add(new Check("egress guard", nft, false, "this machine and private addresses (RFC 1918, 100.64.0.0/10, link-local, fc00::/7)"
                + " are refused: under none and allowlist by the egress proxy, under full by nftables rules in each session's network namespace"
                + (nft ? "" : " (nft is missing: sessions under full cannot start)") + "; allowed ranges: " + config.allowedPrivate()
                + " (BURROW_ALLOWED_PRIVATE)", "install nftables (apt-get install nftables) for the full policy's guard"));
        checks.add(new Check("dependency caches", true, false, config.caches().isEmpty() ? "off (BURROW_CACHES=none)"
                : (config.cacheScope() == Caches.Scope.GLOBAL ? "shared by all sessions (BURROW_CACHE_SCOPE=global): "
                        : "per repository (BURROW_CACHE_SCOPE=repository): ")
                + String.join(", ", Caches.NAMES.stream().filter(config.caches()::contains).toList()), ""));
        // Rootless Podman cannot set limits without cgroups v2: it warns and drops them.
        boolean enforced = !config.limits().any() || !rootless || !"v1".equals(info.get("cgroupVersion"));
        checks.add(new Check("resource limits", enforced, false, config.limits().describe() + (enforced ? "" : ": not enforced here"),
                "rootless Podman ignores limits on cgroups v1: boot with systemd.unified_cgroup_hierarchy=1 (cgroups v2)"
                        + " and delegate cpu, memory and pids to your user"));
        try (PodmanService service = new PodmanService(System.getenv(), PodmanService.runtimeDir(System.getenv()))) {
            boolean up = service.socket().isPresent();
            checks.add(new Check("podman socket", up, false, service.describe(),
                    "sessions run containers through the user's rootless Podman: systemctl --user enable --now podman.socket, or check that `podman system service` starts"));
        }
        checks.add(new Check("socket policy", true, false, rootless
                ? "each session's Podman socket is a deny-by-default filter: its own containers, volumes, networks and images only;"
                        + " bind mounts from its /workspace only; no privileged, capabilities, host namespaces, devices but its GPU;"
                        + " siblings share the session's network; builds and pulls checked against its network policy"
                : "no Podman socket for sessions under root", ""));
        GpuSupport gpu = GpuSupport.detect();
        checks.add(new Check("GPU", gpu.fix().isEmpty(), false, gpu.summary(), gpu.fix()));
        boolean writable = writable(config.dataDir());
        checks.add(new Check("data dir", writable, true, config.dataDir().toString(), "make it writable, or choose another with --data-dir or BURROW_DATA_DIR"));
        return checks;
    }

    private static String runFix(String error) {
        if (error.contains("cgroups") || error.contains("crun")) return "crun fails here: set [engine] runtime = \"runc\" in ~/.config/containers/containers.conf";
        if (error.contains("setrlimit")) return "lower the default ulimits: [containers] default_ulimits = [\"nofile=1024:4096\", \"nproc=1024:4096\"] in ~/.config/containers/containers.conf";
        if (error.contains("newuidmap") || error.contains("subuid")) return "give the user subordinate ids: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER; podman system migrate";
        return "run the podman command by hand to see the whole error";
    }

    private static boolean writable(Path dir) {
        try {
            Files.createDirectories(dir);
            return Files.isWritable(dir);
        } catch (IOException e) {
            return false;
        }
    }
}
