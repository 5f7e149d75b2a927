package dev.burrow.container;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The hosts a session under the allowlist policy may reach: exact names, or "*.example.com"
 * for every host under example.com (and example.com itself), on ports 80 and 443 only, unless
 * the entry names its port ("git.example.com:2222").
 */
public record Allowlist(List<String> hosts) {
    /** Package registries and git hosts: what a build needs and little else. */
    public static final Allowlist DEFAULT = parse(String.join(",",
            "registry.npmjs.org", "registry.yarnpkg.com", "pypi.org", "files.pythonhosted.org",
            "repo.maven.apache.org", "repo1.maven.org", "plugins.gradle.org", "services.gradle.org", "downloads.gradle.org",
            "dl.google.com", "maven.google.com", "crates.io", "index.crates.io", "static.crates.io",
            "proxy.golang.org", "sum.golang.org", "deb.debian.org", "security.debian.org",
            "github.com", "api.github.com", "codeload.github.com", "objects.githubusercontent.com",
            "raw.githubusercontent.com", "gitlab.com", "bitbucket.org"));

    public Allowlist {
        hosts = List.copyOf(hosts);
    }

    /** A comma- or space-separated list; each entry a host name or *.domain, with :port for another port than 80 and 443. */
    public static Allowlist parse(String value) {
        List<String> hosts = Arrays.stream(value.split("[,\\s]+")).map(h -> h.strip().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        for (String h : hosts) {
            String name = h.startsWith("*.") ? h.substring(2) : h;
            if (!name.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[1-9][0-9]{0,4})?")) {
                throw new IllegalArgumentException("BURROW_ALLOWED_HOSTS: " + h + " is not a host name (use names such as pypi.org, *.example.com or git.example.com:2222)");
            }
        }
        return new Allowlist(hosts);
    }

    /** Whether {@code host} is listed, on any port. */
    public boolean allows(String host) {
        return hosts.stream().anyMatch(p -> matches(nameOf(p), host));
    }

    /** Whether {@code host:port} is listed: the entry's own port, or 80 and 443 for an entry without one. */
    public boolean allows(String host, int port) {
        for (String p : hosts) {
            int colon = p.indexOf(':');
            boolean portOk = colon < 0 ? port == 80 || port == 443 : Integer.parseInt(p.substring(colon + 1)) == port;
            if (portOk && matches(nameOf(p), host)) return true;
        }
        return false;
    }

    private static String nameOf(String entry) {
        int colon = entry.indexOf(':');
        return colon < 0 ? entry : entry.substring(0, colon);
    }

    private static boolean matches(String pattern, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        return pattern.startsWith("*.") ? h.equals(pattern.substring(2)) || h.endsWith(pattern.substring(1)) : h.equals(pattern);
    }

    @Override
    public String toString() {
        return String.join(", ", hosts);
    }
}
