package dev.burrow.session;

/** What the user asks for when starting a session. {@code baseBranch} may be null: the source's HEAD. */
public record NewSession(String repo, String baseBranch, String prompt) {
}
