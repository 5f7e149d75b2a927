package dev.burrow.session;

/**
 * What the user asks for when starting a session. {@code baseBranch} may be null: the source's
 * HEAD. {@code mode} null means chat; in terminal mode the prompt may be empty. {@code gpu}
 * null means the host's GPU when it has one that sessions can use.
 */
public record NewSession(String repo, String baseBranch, String prompt, SessionMode mode, Boolean gpu) {
    public NewSession(String repo, String baseBranch, String prompt) {
        this(repo, baseBranch, prompt, SessionMode.CHAT, null);
    }

    public NewSession(String repo, String baseBranch, String prompt, SessionMode mode) {
        this(repo, baseBranch, prompt, mode, null);
    }
}
