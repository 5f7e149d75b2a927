package dev.burrow.session;

import dev.burrow.container.NetworkPolicy;

/**
 * What the user asks for when starting a session. {@code baseBranch} may be null: the source's
 * HEAD. {@code mode} null means chat; in terminal mode the prompt may be empty. {@code gpu}
 * null means the host's GPU when it has one that sessions can use. {@code network} null means
 * the configured default policy.
 */
public record NewSession(String repo, String baseBranch, String prompt, SessionMode mode, Boolean gpu, NetworkPolicy network) {
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
