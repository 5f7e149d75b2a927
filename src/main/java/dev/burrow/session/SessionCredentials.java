package dev.burrow.session;

import dev.burrow.credentials.ClaudeLogin;
import dev.burrow.credentials.LoginException;
import dev.burrow.credentials.LoginRefresher;
import dev.burrow.credentials.ModelCredentials;
import dev.burrow.session.SessionException.Kind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How each session gets its Claude credentials. A key or a token from config goes into the
 * run dir's 0600 secrets file. The host user's login goes into the session's own
 * .credentials.json as an access token alone, kept current by the one {@link LoginRefresher}
 * of this process, so no container ever holds the refresh token.
 */
final class SessionCredentials implements AutoCloseable {
    private final ModelCredentials credentials;
    private final LoginRefresher refresher;

    SessionCredentials(ModelCredentials credentials) {
        this.credentials = Objects.requireNonNull(credentials);
        this.refresher = credentials instanceof ModelCredentials.HostLogin h ? new LoginRefresher(h.login()) : null;
    }

    ModelCredentials credentials() {
        return credentials;
    }

    /** Fails, saying what to do, when sessions have no credentials at all. */
    void check() {
        if (credentials instanceof ModelCredentials.None none) {
            throw new SessionException(Kind.UNAVAILABLE, "no model credentials: " + none.fix());
        }
    }

    /** What goes into the run dir's secrets file. */
    Map<String, String> secrets() {
        Map<String, String> m = new LinkedHashMap<>();
        switch (credentials) {
            case ModelCredentials.ApiKey k -> m.put("ANTHROPIC_API_KEY", k.key());
            case ModelCredentials.OAuthToken t -> m.put("CLAUDE_CODE_OAUTH_TOKEN", t.token());
            default -> { }
        }
        return m;
    }

    /** The API key Claude Code must be told is approved, or null. */
    String apiKey() {
        return credentials instanceof ModelCredentials.ApiKey k ? k.key() : null;
    }

    /** Before a container starts: the host login's current access token in the session's Claude dir. */
    void writeLogin(Session s) {
        if (refresher == null) return;
        ClaudeLogin login = ((ModelCredentials.HostLogin) credentials).login();
        try {
            refresher.writeTo(s.claudeConfig(), login.current());
        } catch (LoginException e) {
            throw new SessionException(Kind.UNAVAILABLE, e.getMessage());
        }
    }

    /** While this process follows a session: its access token is kept current. */
    AutoCloseable keep(Session s) {
        if (refresher == null) return () -> { };
        return refresher.keep(s.claudeConfig());
    }

    @Override
    public void close() {
        if (refresher != null) refresher.close();
    }
}
