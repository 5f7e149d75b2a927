package dev.burrow.workspace;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The git host whose token Burrow holds: GitHub, or a GitHub Enterprise server. The token only
 * ever goes to this host; {@link #toString()} never shows it.
 *
 * @param base  https://github.com, or the enterprise server's URL
 * @param token empty: none
 */
public record GitHost(URI base, String token) {
    public static final URI GITHUB = URI.create("https://github.com");

    public GitHost {
        Objects.requireNonNull(base);
        token = token == null ? "" : token.strip();
        if (token.contains("\n") || token.contains("\r")) throw new IllegalArgumentException("BURROW_GITHUB_TOKEN must be a single line");
        if (base.getHost() == null || !(base.getScheme().equals("https") || base.getScheme().equals("http"))) {
            throw new IllegalArgumentException("BURROW_GITHUB_HOST must be a host name such as github.com or a URL such as https://github.example.com");
        }
    }

    /** "github.com", "https://github.example.com" or "http://127.0.0.1:8080" (a URL keeps its scheme; a name is https). */
    public static URI parseBase(String value) {
        if (value == null || value.isBlank()) return GITHUB;
        String v = value.strip();
        URI u = URI.create(v.contains("://") ? v : "https://" + v);
        return URI.create(u.getScheme() + "://" + u.getRawAuthority());
    }

    public boolean hasToken() {
        return !token.isEmpty();
    }

    /** host or host:port, as in URLs and as gh's GH_HOST wants it. */
    public String authority() {
        return base.getRawAuthority().toLowerCase(Locale.ROOT);
    }

    /** The prefix of git's credential config keys for this host: credential.&lt;url&gt;.helper. */
    public String credentialUrl() {
        return base.getScheme() + "://" + authority();
    }

    public boolean isGitHubCom() {
        return authority().equals("github.com");
    }

    private static final Pattern HTTP_REMOTE = Pattern.compile("^(https?)://(?:[^@/]+@)?([^/]+)/([^/]+)/([^/]+?)(?:\\.git)?/?$");
    private static final Pattern SCP_REMOTE = Pattern.compile("^(?:ssh://)?(?:[^@]+@)?([^:/]+)[:/]([^/]+)/([^/]+?)(?:\\.git)?/?$");

    /** OWNER/REPO of a remote URL on this host (https or ssh form), or empty for any other remote. */
    public Optional<String> ownerRepo(String remote) {
        if (remote == null) return Optional.empty();
        Matcher m = HTTP_REMOTE.matcher(remote.strip());
        if (m.matches()) {
            return m.group(2).toLowerCase(Locale.ROOT).equals(authority()) ? Optional.of(m.group(3) + "/" + m.group(4)) : Optional.empty();
        }
        m = SCP_REMOTE.matcher(remote.strip());
        if (m.matches() && m.group(1).toLowerCase(Locale.ROOT).equals(base.getHost().toLowerCase(Locale.ROOT))) {
            return Optional.of(m.group(2) + "/" + m.group(3));
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "GitHost[" + base + (hasToken() ? ", with a token" : "") + "]";
    }
}
