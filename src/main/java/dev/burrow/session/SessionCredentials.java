package dev.burrow.session;

import dev.burrow.config.PrivateFiles;
import dev.burrow.credentials.ClaudeLogin;
import dev.burrow.credentials.CredentialSettings;
import dev.burrow.credentials.LoginException;
import dev.burrow.credentials.LoginRefresher;
import dev.burrow.credentials.ModelCredentials;
import dev.burrow.gateway.Placeholders;
import dev.burrow.gateway.UpstreamCredential;
import dev.burrow.session.SessionException.Kind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How each session gets its Claude credentials: it does not. Its container holds a
 * placeholder ({@link Placeholders}) where the credential would be (ANTHROPIC_API_KEY,
 * CLAUDE_CODE_OAUTH_TOKEN, or the access token of the session's .credentials.json for the
 * host login), and the session's model gateway puts the real one on each request
 * ({@link #upstream()}). The host login is renewed by the one {@link LoginRefresher} of this
 * process, and its tokens stay on the host.
 */
final class SessionCredentials implements AutoCloseable {
    private final CredentialSettings settings;
    private final Placeholders placeholders;
    private ModelCredentials credentials;
    private LoginRefresher refresher;

    /** From the settings; with none found, they are looked for again at the next session start (the user may log in meanwhile). */
    SessionCredentials(CredentialSettings settings, Placeholders placeholders) {
        this(settings, ModelCredentials.resolve(settings), placeholders);
    }

    /** These credentials, for good. */
    SessionCredentials(ModelCredentials credentials, Placeholders placeholders) {
        this(null, credentials, placeholders);
    }

    private SessionCredentials(CredentialSettings settings, ModelCredentials credentials, Placeholders placeholders) {
        this.settings = settings;
        this.placeholders = Objects.requireNonNull(placeholders);
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

    /** The session's stand-in for the model credential. */
    String placeholder(Session s) {
        return placeholders.of(s.id(), Placeholders.Purpose.MODEL);
    }

    /** The session's stand-in for the git host's token. */
    String gitPlaceholder(Session s) {
        return placeholders.of(s.id(), Placeholders.Purpose.GITHUB);
    }

    /** What goes into the secrets dir's agent.env: the placeholder, under the name the real credential would have. */
    Map<String, String> secrets(Session s) {
        Map<String, String> m = new LinkedHashMap<>();
        switch (credentials()) {
            case ModelCredentials.ApiKey k -> m.put("ANTHROPIC_API_KEY", placeholder(s));
            case ModelCredentials.OAuthToken t -> m.put("CLAUDE_CODE_OAUTH_TOKEN", placeholder(s));
            default -> { }
        }
        return m;
    }

    /** The API key Claude Code must be told is approved (the session's placeholder), or null. */
    String approvedKey(Session s) {
        return credentials() instanceof ModelCredentials.ApiKey ? placeholder(s) : null;
    }

    /** The real credential, for the gateway to put on a model request now. */
    UpstreamCredential upstream() {
        return switch (credentials()) {
            case ModelCredentials.ApiKey k -> new UpstreamCredential.ApiKey(k.key());
            case ModelCredentials.OAuthToken t -> new UpstreamCredential.Bearer(t.token());
            case ModelCredentials.HostLogin h -> {
                try {
                    yield new UpstreamCredential.Bearer(h.login().current().accessToken());
                } catch (RuntimeException e) {
                    yield new UpstreamCredential.Unavailable("the host's Claude login cannot be used: " + e.getMessage());
                }
            }
            case ModelCredentials.None n -> new UpstreamCredential.Unavailable("Burrow has no model credentials: " + n.fix());
        };
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

    /**
     * Once the session's setup has ended: with the host login, the session's .credentials.json
     * gets the placeholder (and what Claude Code reads besides the token: scopes, subscription),
     * and the login is kept current on the host while this process follows the session.
     */
    AutoCloseable keep(Session s) {
        if (!(credentials() instanceof ModelCredentials.HostLogin h)) return () -> { };
        PrivateFiles.write(s.claudeConfig().resolve(LoginRefresher.FILE), h.login().current().placeholderForContainer(placeholder(s)));
        LoginRefresher r = refresher();
        return r == null ? () -> { } : r.keep();
    }

    private synchronized LoginRefresher refresher() {
        return refresher;
    }

    @Override
    public synchronized void close() {
        if (refresher != null) refresher.close();
    }
}
