package dev.burrow.session;

/**
 * What the user asks for when starting a session. {@code baseBranch} may be null: the source's
 * HEAD. {@code mode} null means chat; in terminal mode the prompt may be empty.
 */
public record NewSession(String repo, String baseBranch, String prompt, SessionMode mode) {
    public NewSession(String repo, String baseBranch, String prompt) {
        this(repo, baseBranch, prompt, SessionMode.CHAT);
    }
}
