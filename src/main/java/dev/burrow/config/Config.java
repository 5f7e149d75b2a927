package dev.burrow.config;

import dev.burrow.container.Allowlist;
import dev.burrow.container.Caches;
import dev.burrow.container.Limits;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.container.PrivateAddresses;
import dev.burrow.container.RunnerImage;
import dev.burrow.credentials.CredentialSettings;
import dev.burrow.workspace.GitHost;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Burrow's settings. Each comes from the environment, else from burrow.properties in the
 * data dir, else a default. Secrets (API key, OAuth token) are held here only to be written
 * to a session's 0600 secrets file; they are never logged or printed. Variants are made with
 * the {@code with...} methods.
 *
 * @param credentials    where sessions get their Claude credentials ({@link CredentialSettings})
 * @param runnerImage    empty: the image built from this Burrow's own Containerfile
 * @param idleTimeout    a session with no turn for this long stops its container
 * @param caches         the names of the dependency caches sessions share ({@link Caches})
 * @param cacheScope     whose sessions share a cache: those of one repository, or all
 * @param limits         each session container's memory, CPUs and processes
 * @param network        a new session's network policy unless it asks for another
 * @param allowedHosts   what sessions under the allowlist policy may reach (besides the model API)
 * @param allowedPrivate private address ranges sessions may reach after all (BURROW_ALLOWED_PRIVATE)
 * @param gitHost        GitHub (or an enterprise server) and its token, for private repositories, pushes and pull requests
 * @param transcriptQuota the most bytes of events one session may store; past it the session stops
 * @param minFree        bytes free on the data dir's disk below which sessions stop ({@code BURROW_MIN_FREE_MB})
 * @param maxStarts       how many session containers Burrow starts at once; more wait their turn ({@code BURROW_MAX_STARTS})
 * @param warm            how many pre-started containers Burrow keeps for each repository, environment and network
 *                        policy used in the last day ({@code BURROW_WARM}; 0: none)
 * @param upstreamCa      null, or a PEM file of CA certificates Burrow trusts, beside the JDK's own, on its
 *                        connections to the model API and the git host (a TLS-inspecting proxy, a gateway with its own CA)
 */
public record Config(
        Path dataDir,
        String baseUrl,
        CredentialSettings credentials,
        String model,
        String runnerImage,
        String baseImage,
        Duration idleTimeout,
        String gitName,
        String gitEmail,
        String bind,
        int port,
        Set<String> caches,
        Caches.Scope cacheScope,
        Limits limits,
        NetworkPolicy network,
        Allowlist allowedHosts,
        PrivateAddresses allowedPrivate,
        GitHost gitHost,
        long transcriptQuota,
        Path upstreamCa,
        int maxStarts,
        long minFree,
        int warm) {

    public Config {
        Objects.requireNonNull(dataDir);
        Objects.requireNonNull(credentials);
        Objects.requireNonNull(idleTimeout);
        caches = Set.copyOf(caches);
        Objects.requireNonNull(cacheScope);
        Objects.requireNonNull(limits);
        Objects.requireNonNull(network);
        Objects.requireNonNull(allowedHosts);
        Objects.requireNonNull(allowedPrivate);
        Objects.requireNonNull(gitHost);
        if (transcriptQuota <= 0) throw new IllegalArgumentException("the transcript quota must be positive");
        if (minFree < 0) throw new IllegalArgumentException("BURROW_MIN_FREE_MB must not be negative");
        if (warm < 0 || warm > 16) throw new IllegalArgumentException("BURROW_WARM must be between 0 (no warm containers) and 16");
        if (maxStarts < 1) throw new IllegalArgumentException("BURROW_MAX_STARTS must be a positive number of container starts at once");
    }

    /** A session's stored events may reach 256 MiB: far more than a day's work, far less than the disk. */
    public static final long DEFAULT_TRANSCRIPT_QUOTA = 256L << 20;

    /**
     * Container starts at once. Podman 4.3 hangs when handed 16 `podman run` at once; on this
     * 2-core machine starts are CPU-bound, so more than a few at once only makes each slower
     * (measured: see the note of issue 14).
     */
    public static final int DEFAULT_MAX_STARTS = 4;

    /** Free space on the data dir's disk below which sessions stop (and none start): room for the saves that stopping makes. */
    public static final long DEFAULT_MIN_FREE = 1024L << 20;

    /** One pre-started container for each repository, environment and network policy used in the last day. */
    public static final int DEFAULT_WARM = 1;

    /**
     * Burrow's defaults on this data dir, before the environment and burrow.properties say
     * otherwise: no model credentials, Anthropic's API, the loopback port 7070, every cache
     * shared, no limits, the full network. Tests and benchmarks start here and change what they need.
     */
    public static Config defaults(Path dataDir) {
        return new Config(dataDir, "", CredentialSettings.of("", ""), "", "", RunnerImage.DEFAULT_BASE, Duration.ofMinutes(30), "", "",
                "127.0.0.1", 7070, Caches.NAMES, Caches.Scope.REPOSITORY, Limits.NONE, NetworkPolicy.FULL, Allowlist.DEFAULT, PrivateAddresses.NONE_ALLOWED, new GitHost(GitHost.GITHUB, ""),
                DEFAULT_TRANSCRIPT_QUOTA, null, DEFAULT_MAX_STARTS, DEFAULT_MIN_FREE, DEFAULT_WARM);
    }

    /** The data dir: the override, else BURROW_DATA_DIR, else $XDG_DATA_HOME/burrow, else ~/.local/share/burrow. */
    public static Path dataDir(Map<String, String> env, Path override) {
        if (override != null) return override.toAbsolutePath().normalize();
        String d = env.get("BURROW_DATA_DIR");
        if (d != null && !d.isBlank()) return Path.of(d).toAbsolutePath().normalize();
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "burrow");
        return Path.of(System.getProperty("user.home"), ".local", "share", "burrow");
    }

    public static Config load(Map<String, String> env, Path dataDirOverride) {
        Path dataDir = dataDir(env, dataDirOverride);
        Properties file = new Properties();
        Path props = dataDir.resolve("burrow.properties");
        if (Files.isRegularFile(props)) {
            try (Reader r = Files.newBufferedReader(props)) {
                file.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + props, e);
            }
        }
        Settings s = new Settings(env, file);
        Duration idle;
        try {
            idle = Duration.ofSeconds(Long.parseLong(s.get("BURROW_IDLE_TIMEOUT", "idle_timeout_seconds").orElse("1800")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("BURROW_IDLE_TIMEOUT must be a number of seconds");
        }
        CredentialSettings credentials = new CredentialSettings(
                s.get("ANTHROPIC_API_KEY", "anthropic.api_key").orElse(""),
                s.get("CLAUDE_CODE_OAUTH_TOKEN", "claude.oauth_token").orElse(""),
                s.get("BURROW_CLAUDE_DIR", "claude.dir").map(Path::of).orElse(CredentialSettings.defaultClaudeDir(env)),
                s.get("BURROW_OAUTH_TOKEN_URL", "claude.oauth_token_url").map(URI::create).orElse(CredentialSettings.ANTHROPIC_TOKEN_URL),
                CredentialSettings.Choice.parse(s.get("BURROW_CREDENTIALS", "credentials").orElse("auto")));
        return new Config(dataDir,
                s.get("ANTHROPIC_BASE_URL", "anthropic.base_url").orElse(""),
                credentials,
                s.get("BURROW_MODEL", "model").orElse(""),
                s.get("BURROW_RUNNER_IMAGE", "runner_image").orElse(""),
                s.get("BURROW_BASE_IMAGE", "base_image").orElse(RunnerImage.DEFAULT_BASE),
                idle,
                s.get("BURROW_GIT_NAME", "git.name").orElse(""),
                s.get("BURROW_GIT_EMAIL", "git.email").orElse(""),
                s.get("BURROW_BIND", "bind").orElse("127.0.0.1"),
                Integer.parseInt(s.get("BURROW_PORT", "port").orElse("7070")),
                Caches.parse(s.get("BURROW_CACHES", "caches").orElse("all")),
                Caches.Scope.parse(s.get("BURROW_CACHE_SCOPE", "cache_scope").orElse("repository")),
                Limits.parse(s.get("BURROW_MEMORY", "memory").orElse(null), s.get("BURROW_CPUS", "cpus").orElse(null),
                        s.get("BURROW_PIDS", "pids").orElse(null)),
                NetworkPolicy.parse(s.get("BURROW_NETWORK", "network").orElse("full")),
                s.get("BURROW_ALLOWED_HOSTS", "allowed_hosts").map(Allowlist::parse).orElse(Allowlist.DEFAULT),
                PrivateAddresses.parse(s.get("BURROW_ALLOWED_PRIVATE", "allowed_private").orElse("")),
                new GitHost(GitHost.parseBase(s.get("BURROW_GITHUB_HOST", "github.host").orElse("")),
                        s.get("BURROW_GITHUB_TOKEN", "github.token").or(() -> s.env("GH_TOKEN")).or(() -> s.env("GITHUB_TOKEN")).orElse("")),
                megabytes(s.get("BURROW_TRANSCRIPT_QUOTA_MB", "transcript_quota_mb"), DEFAULT_TRANSCRIPT_QUOTA, "BURROW_TRANSCRIPT_QUOTA_MB"),
                s.get("BURROW_UPSTREAM_CA", "upstream_ca").map(Path::of).orElse(null),
                positive(s.get("BURROW_MAX_STARTS", "max_starts"), DEFAULT_MAX_STARTS, "BURROW_MAX_STARTS"),
                megabytes(s.get("BURROW_MIN_FREE_MB", "min_free_mb"), DEFAULT_MIN_FREE, "BURROW_MIN_FREE_MB"),
                count(s.get("BURROW_WARM", "warm"), DEFAULT_WARM, "BURROW_WARM"));
    }

    public Path database() {
        return dataDir.resolve("burrow.db");
    }

    public Path sessionsDir() {
        return dataDir.resolve("sessions");
    }

    public Path mirrorsDir() {
        return dataDir.resolve("mirrors");
    }

    public String apiKey() {
        return credentials.apiKey();
    }

    public String oauthToken() {
        return credentials.oauthToken();
    }

    public Config withCredentials(CredentialSettings c) {
        return new Config(dataDir, baseUrl, c, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bind, port, caches, cacheScope, limits, network, allowedHosts, allowedPrivate, gitHost, transcriptQuota, upstreamCa, maxStarts, minFree, warm);
    }

    public Config withBaseUrl(String url) {
        return new Config(dataDir, url, credentials, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bind, port, caches, cacheScope, limits, network, allowedHosts, allowedPrivate, gitHost, transcriptQuota, upstreamCa, maxStarts, minFree, warm);
    }

    public Config withImages(String runner, String base) {
        return new Config(dataDir, baseUrl, credentials, model, runner, base, idleTimeout, gitName, gitEmail, bind, port, caches, cacheScope, limits, network, allowedHosts, allowedPrivate, gitHost, transcriptQuota, upstreamCa, maxStarts, minFree, warm);
    }

    public Config withIdleTimeout(Duration idle) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idle, gitName, gitEmail, bind, port, caches, cacheScope, limits, network, allowedHosts, allowedPrivate, gitHost, transcriptQuota, upstreamCa, maxStarts, minFree, warm);
    }

    public Config withNetwork(NetworkPolicy policy, Allowlist hosts) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bind, port, caches, cacheScope, limits,
                policy, hosts, allowedPrivate, gitHost, transcriptQuota, upstreamCa, maxStarts, minFree, warm);
    }

    public Config withGitHost(GitHost g) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bind, port, caches, cacheScope, limits,
                network, allowedHosts, allowedPrivate, g, transcriptQuota, upstreamCa, maxStarts, minFree, warm);
    }

    public Config withGitIdentity(String name, String email) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idleTimeout, name, email, bind, port, caches, cacheScope, limits, network,
                allowedHosts, allowedPrivate, gitHost, transcriptQuota, upstreamCa, maxStarts, minFree, warm);
    }

    public Config withListen(String bindAddress, int listenPort) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bindAddress, listenPort, caches, cacheScope,
                limits, network, allowedHosts, allowedPrivate, gitHost, transcriptQuota, upstreamCa, maxStarts, minFree, warm);
    }

    public Config withLimits(Limits l) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bind, port, caches, cacheScope, l, network, allowedHosts, allowedPrivate, gitHost, transcriptQuota, upstreamCa, maxStarts, minFree, warm);
    }

    public Config withAllowedPrivate(PrivateAddresses ranges) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bind, port, caches, cacheScope, limits,
                network, allowedHosts, ranges, gitHost, transcriptQuota, upstreamCa, maxStarts, minFree, warm);
    }

    public Config withCacheScope(Caches.Scope scope) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bind, port, caches, scope, limits,
                network, allowedHosts, allowedPrivate, gitHost, transcriptQuota, upstreamCa, maxStarts, minFree, warm);
    }

    public Config withTranscriptQuota(long bytes) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bind, port, caches, cacheScope, limits,
                network, allowedHosts, allowedPrivate, gitHost, bytes, upstreamCa, maxStarts, minFree, warm);
    }

    /** The same, trusting the CA certificates in {@code pem} on connections to the model API and the git host. */
    public Config withUpstreamCa(Path pem) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bind, port, caches, cacheScope, limits,
                network, allowedHosts, allowedPrivate, gitHost, transcriptQuota, pem, maxStarts, minFree, warm);
    }

    /** The same, starting at most {@code n} session containers at once. */
    public Config withMaxStarts(int n) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bind, port, caches, cacheScope, limits,
                network, allowedHosts, allowedPrivate, gitHost, transcriptQuota, upstreamCa, n, minFree, warm);
    }

    /** The same, stopping sessions when the data dir's disk has fewer than {@code bytes} free. */
    public Config withMinFree(long bytes) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bind, port, caches, cacheScope, limits,
                network, allowedHosts, allowedPrivate, gitHost, transcriptQuota, upstreamCa, maxStarts, bytes, warm);
    }

    private static int count(Optional<String> value, int fallback, String name) {
        if (value.isEmpty()) return fallback;
        try {
            int n = Integer.parseInt(value.get().strip());
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(name + " must be a whole number, 0 or more, like " + fallback);
    }

    private static int positive(Optional<String> value, int fallback, String name) {
        if (value.isEmpty()) return fallback;
        try {
            int n = Integer.parseInt(value.get().strip());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(name + " must be a whole number above 0, like " + fallback);
    }

    private static long megabytes(Optional<String> value, long fallback, String name) {
        if (value.isEmpty()) return fallback;
        try {
            long mb = Long.parseLong(value.get());
            if (mb > 0 && mb < (1L << 40)) return mb << 20;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(name + " must be a whole number of MiB above 0, like 256");
    }

    @Override
    public String toString() {
        // Never print the secrets.
        return "Config[dataDir=" + dataDir + ", baseUrl=" + baseUrl + ", " + credentials + ", " + gitHost + "]";
    }

    private record Settings(Map<String, String> env, Properties file) {
        Optional<String> get(String envName, String key) {
            String v = env.get(envName);
            if (v == null || v.isBlank()) v = file.getProperty(key);
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
        }

        /** A variable only the environment sets (another tool's name for a setting). */
        Optional<String> env(String name) {
            String v = env.get(name);
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
        }
    }

    /** The same, keeping {@code n} pre-started containers for each repository, environment and policy used lately (0: none). */
    public Config withWarm(int n) {
        return new Config(dataDir, baseUrl, credentials, model, runnerImage, baseImage, idleTimeout, gitName, gitEmail, bind, port, caches, cacheScope, limits,
                network, allowedHosts, allowedPrivate, gitHost, transcriptQuota, upstreamCa, maxStarts, minFree, n);
    }
}
