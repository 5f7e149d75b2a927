package dev.burrow.workspace;

import dev.burrow.config.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The git host's token for the host's own git (mirroring private repositories, pushing
 * session branches): a 0600 file and git's credential helper for that host alone, handed to
 * git through GIT_CONFIG_* variables, so the token is never in argv, a URL or git's config.
 */
public final class GitCredentials {
    static final String HELPER = "burrow-git-credential";

    private final GitHost host;
    private final Path tokenFile;
    private final Path helper;

    private GitCredentials(GitHost host, Path tokenFile, Path helper) {
        this.host = host;
        this.tokenFile = tokenFile;
        this.helper = helper;
    }

    /** Writes the token file and the helper under {@code dataDir} when there is a token; else credentials that add nothing. */
    public static GitCredentials install(GitHost host, Path dataDir) {
        Objects.requireNonNull(host);
        if (!host.hasToken()) return new GitCredentials(host, null, null);
        Path tokenFile = dataDir.resolve("secrets").resolve("github-token");
        Path helper = dataDir.resolve("bin").resolve(HELPER);
        if (helper.toString().contains("'")) throw new IllegalArgumentException("the data dir's path may not contain ' (git runs the credential helper by that path)");
        PrivateFiles.write(tokenFile, host.token());
        try (InputStream in = GitCredentials.class.getResourceAsStream("/runner/" + HELPER)) {
            PrivateFiles.write(helper, new String(Objects.requireNonNull(in, "runner/" + HELPER + " is missing").readAllBytes(), StandardCharsets.UTF_8), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new GitCredentials(host, tokenFile, helper);
    }

    public GitHost host() {
        return host;
    }

    public boolean present() {
        return tokenFile != null;
    }

    /** What git on this machine needs in its environment to use the token for the host (and only there). */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GIT_TERMINAL_PROMPT", "0");
        if (!present()) return env;
        // "!": git runs it with the shell, so the path is quoted (it never contains a quote, see install).
        env.putAll(helperConfig(host, "!'" + helper + "'"));
        env.put("BURROW_GIT_TOKEN_FILE", tokenFile.toString());
        return env;
    }

    /** git config through the environment: credential.&lt;host URL&gt;.helper = {@code helperCommand}. */
    public static Map<String, String> helperConfig(GitHost host, String helperCommand) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GIT_CONFIG_COUNT", "1");
        env.put("GIT_CONFIG_KEY_0", "credential." + host.credentialUrl() + ".helper");
        env.put("GIT_CONFIG_VALUE_0", helperCommand);
        return env;
    }
}
