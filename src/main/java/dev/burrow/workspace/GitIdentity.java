package dev.burrow.workspace;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Who the commits of a session are by: the agent's (its workspace's git config) and Burrow's
 * snapshots alike. Each of name and email comes from the first of: BURROW_GIT_NAME/EMAIL, the
 * source repository's own config, the user's global git config, else Burrow at this host. So a
 * commit never fails for want of an identity, and the work always reaches the repository.
 *
 * @param origin where the identity came from, in words, for the doctor and the session's notice
 */
public record GitIdentity(String name, String email, String origin) {
    static final String CONFIGURED = "BURROW_GIT_NAME/BURROW_GIT_EMAIL";
    static final String REPOSITORY = "the repository's own git config";
    static final String GLOBAL = "your global git config";
    public static final String FALLBACK = "Burrow's own (no git identity is configured)";

    /** {@code repository}: the user's local repository, or null (a URL source: its mirror has no identity of the user's). */
    static GitIdentity resolve(Git git, String configuredName, String configuredEmail, Path repository) {
        Part name = part(git, configuredName, repository, "user.name", "Burrow");
        Part email = part(git, configuredEmail, repository, "user.email", "burrow@" + hostName());
        String origin = name.origin().equals(email.origin()) ? name.origin() : "name from " + name.origin() + ", email from " + email.origin();
        return new GitIdentity(name.value(), email.value(), origin);
    }

    private record Part(String value, String origin) {
    }

    private static Part part(Git git, String configured, Path repository, String key, String fallback) {
        if (configured != null && !configured.isBlank()) return new Part(configured.strip(), CONFIGURED);
        if (repository != null) {
            // The user's own repository, not a workspace: still read with hardened git, its config file only.
            String local = git.hardened(repository, List.of("config", "--local", "--get", key)).stdout().strip();
            if (!local.isEmpty()) return new Part(local, REPOSITORY);
        }
        String global = git.run(null, "config", "--global", "--get", key).stdout().strip();
        if (!global.isEmpty()) return new Part(global, GLOBAL);
        return new Part(fallback, FALLBACK);
    }

    static String hostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
            if (h.matches("[a-z0-9.-]+")) return h;
        } catch (UnknownHostException e) {
            // below
        }
        return "localhost";
    }

    @Override
    public String toString() {
        return name + " <" + email + "> (" + origin + ")";
    }
}
