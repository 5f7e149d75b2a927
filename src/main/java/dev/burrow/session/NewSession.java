package dev.burrow.session;

import dev.burrow.container.NetworkPolicy;

/**
 * What the user asks for when starting a session. {@code baseBranch} may be null: the source's
 * HEAD. {@code mode} null means chat; in terminal mode the prompt may be empty. {@code gpu}
 * null means the host's GPU when it has one that sessions can use. {@code network} null means
 * the configured default policy. {@code environment} null means the repository's own choice
 * (dev.burrow.environment.EnvironmentFinder); a name picks one of its devcontainers, "burrow"
 * Burrow's runner image.
 */
public record NewSession(String repo, String baseBranch, String prompt, SessionMode mode, Boolean gpu, NetworkPolicy network, String environment) {
    public NewSession(String repo, String baseBranch, String prompt, SessionMode mode, Boolean gpu, NetworkPolicy network) {
        this(repo, baseBranch, prompt, mode, gpu, network, null);
    }

    public NewSession(String repo, String baseBranch, String prompt) {
        this(repo, baseBranch, prompt, SessionMode.CHAT, null, null);
    }

    public NewSession(String repo, String baseBranch, String prompt, SessionMode mode) {
        this(repo, baseBranch, prompt, mode, null, null);
    }

    public NewSession(String repo, String baseBranch, String prompt, SessionMode mode, Boolean gpu) {
        this(repo, baseBranch, prompt, mode, gpu, null);
    }
}
