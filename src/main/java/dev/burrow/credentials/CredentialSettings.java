package dev.burrow.credentials;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where sessions get their Claude credentials from. {@code AUTO} takes, in order, a
 * CLAUDE_CODE_OAUTH_TOKEN, an ANTHROPIC_API_KEY, then the host user's own Claude Code login.
 *
 * @param claudeDir the host user's Claude Code config dir (holding .credentials.json); null: none
 * @param tokenUrl  where the login's refresh token is exchanged (Anthropic's OAuth endpoint)
 */
public record CredentialSettings(String apiKey, String oauthToken, Path claudeDir, URI tokenUrl, Choice choice) {
    public static final URI ANTHROPIC_TOKEN_URL = URI.create("https://platform.claude.com/v1/oauth/token");

    /** Which source to use: the first one present, or exactly one. */
    public enum Choice {
        AUTO, OAUTH_TOKEN, API_KEY, CLAUDE_LOGIN;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Choice parse(String value) {
            if (value == null || value.isBlank()) return AUTO;
            for (Choice c : values()) if (c.label().equals(value.strip().toLowerCase(Locale.ROOT))) return c;
            throw new IllegalArgumentException("BURROW_CREDENTIALS must be auto, oauth-token, api-key or claude-login, not " + value.strip());
        }
    }

    public CredentialSettings {
        apiKey = apiKey == null ? "" : apiKey;
        oauthToken = oauthToken == null ? "" : oauthToken;
        Objects.requireNonNull(tokenUrl);
        Objects.requireNonNull(choice);
    }

    /** A key or token from config, and no host login. */
    public static CredentialSettings of(String apiKey, String oauthToken) {
        return new CredentialSettings(apiKey, oauthToken, null, ANTHROPIC_TOKEN_URL, Choice.AUTO);
    }

    /** The host user's Claude Code config dir: CLAUDE_CONFIG_DIR, else ~/.claude. */
    public static Path defaultClaudeDir(Map<String, String> env) {
        String d = env.get("CLAUDE_CONFIG_DIR");
        if (d != null && !d.isBlank()) return Path.of(d).toAbsolutePath().normalize();
        return Path.of(System.getProperty("user.home"), ".claude");
    }

    public CredentialSettings withClaudeLogin(Path dir, URI url) {
        return new CredentialSettings(apiKey, oauthToken, dir, url, choice);
    }

    public CredentialSettings withChoice(Choice c) {
        return new CredentialSettings(apiKey, oauthToken, claudeDir, tokenUrl, c);
    }

    @Override
    public String toString() {
        // Never the secrets.
        return "CredentialSettings[choice=" + choice.label() + ", claudeDir=" + claudeDir + "]";
    }
}
