package dev.burrow.credentials;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;

/** The credential sessions use, chosen from {@link CredentialSettings}. */
public sealed interface ModelCredentials {

    /** In words, for the doctor and errors; never the secret. */
    String describe();

    record OAuthToken(String token) implements ModelCredentials {
        public String describe() {
            return "CLAUDE_CODE_OAUTH_TOKEN (from config or environment)";
        }

        @Override
        public String toString() {
            return "OAuthToken[...]";
        }
    }

    record ApiKey(String key) implements ModelCredentials {
        public String describe() {
            return "ANTHROPIC_API_KEY (from config or environment)";
        }

        @Override
        public String toString() {
            return "ApiKey[...]";
        }
    }

    record HostLogin(ClaudeLogin login) implements ModelCredentials {
        public String describe() {
            return login.describe();
        }
    }

    /** @param fix what the user can do */
    record None(String fix) implements ModelCredentials {
        public String describe() {
            return "none";
        }
    }

    static ModelCredentials resolve(CredentialSettings s) {
        return resolve(s, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(), Clock.systemUTC());
    }

    static ModelCredentials resolve(CredentialSettings s, HttpClient http, Clock clock) {
        boolean loginPresent = s.claudeDir() != null && Files.isRegularFile(s.claudeDir().resolve(".credentials.json"));
        ModelCredentials login = loginPresent ? new HostLogin(new ClaudeLogin(s.claudeDir(), s.tokenUrl(), http, clock)) : null;
        String where = s.claudeDir() == null ? "~/.claude" : s.claudeDir().toString();
        return switch (s.choice()) {
            case OAUTH_TOKEN -> s.oauthToken().isBlank()
                    ? new None("BURROW_CREDENTIALS=oauth-token but no CLAUDE_CODE_OAUTH_TOKEN is set; set it (`claude setup-token` makes one)")
                    : new OAuthToken(s.oauthToken());
            case API_KEY -> s.apiKey().isBlank()
                    ? new None("BURROW_CREDENTIALS=api-key but no ANTHROPIC_API_KEY is set; set it in the environment or burrow.properties")
                    : new ApiKey(s.apiKey());
            case CLAUDE_LOGIN -> login != null ? login
                    : new None("BURROW_CREDENTIALS=claude-login but there is no login in " + where + "; run `claude` on this machine and log in with /login");
            case AUTO -> !s.oauthToken().isBlank() ? new OAuthToken(s.oauthToken())
                    : !s.apiKey().isBlank() ? new ApiKey(s.apiKey())
                    : login != null ? login
                    : new None("run `claude` on this machine and log in with /login (Burrow uses the login in " + where
                            + "), or set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN in the environment or burrow.properties");
        };
    }
}
