package dev.burrow.session;

import dev.burrow.credentials.ClaudeLogin;
import dev.burrow.credentials.CredentialSettings;
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
    private final CredentialSettings settings;
    private ModelCredentials credentials;
    private LoginRefresher refresher;

    /** From the settings; with none found, they are looked for again at the next session start (the user may log in meanwhile). */
    SessionCredentials(CredentialSettings settings) {
        this(settings, ModelCredentials.resolve(settings));
    }

    /** These credentials, for good. */
    SessionCredentials(ModelCredentials credentials) {
        this(null, credentials);
    }

    private SessionCredentials(CredentialSettings settings, ModelCredentials credentials) {
        this.settings = settings;
        use(Objects.requireNonNull(credentials));
    }

    private void use(ModelCredentials c) {
        credentials = c;
        refresher = c instanceof ModelCredentials.HostLogin h ? new LoginRefresher(h.login()) : null;
    }

    synchronized ModelCredentials credentials() {
        if (credentials instanceof ModelCredentials.None && settings != null) use(ModelCredentials.resolve(settings));
        return credentials;
    }

    /** Fails, saying what to do, when sessions have no credentials at all. */
    void check() {
        if (credentials() instanceof ModelCredentials.None none) {
            throw new SessionException(Kind.UNAVAILABLE, "no model credentials: " + none.fix());
        }
    }

    /** What goes into the run dir's secrets file. */
    Map<String, String> secrets() {
        Map<String, String> m = new LinkedHashMap<>();
        switch (credentials()) {
            case ModelCredentials.ApiKey k -> m.put("ANTHROPIC_API_KEY", k.key());
            case ModelCredentials.OAuthToken t -> m.put("CLAUDE_CODE_OAUTH_TOKEN", t.token());
            default -> { }
        }
        return m;
    }

    /** The API key Claude Code must be told is approved, or null. */
    String apiKey() {
        return credentials() instanceof ModelCredentials.ApiKey k ? k.key() : null;
    }

    /** Before a container starts: fails, saying why, when the host login cannot give a current access token. */
    void checkLogin() {
        if (!(credentials() instanceof ModelCredentials.HostLogin h)) return;
        ClaudeLogin login = h.login();
        try {
            login.current();
        } catch (LoginException e) {
            throw new SessionException(Kind.UNAVAILABLE, e.getMessage());
        }
    }

    /** While this process follows a session: its access token is kept current. */
    AutoCloseable keep(Session s) {
        LoginRefresher r = refresher();
        return r == null ? () -> { } : r.keep(s.claudeConfig());
    }

    private synchronized LoginRefresher refresher() {
        return refresher;
    }

    @Override
    public synchronized void close() {
        if (refresher != null) refresher.close();
    }
}
