package dev.burrow.container;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The hosts a session under the allowlist policy may reach: exact names, or "*.example.com"
 * for every host under example.com (and example.com itself).
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

    /** A comma- or space-separated list; each entry a host name or *.domain. */
    public static Allowlist parse(String value) {
        List<String> hosts = Arrays.stream(value.split("[,\\s]+")).map(h -> h.strip().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        for (String h : hosts) {
            String name = h.startsWith("*.") ? h.substring(2) : h;
            if (!name.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                throw new IllegalArgumentException("BURROW_ALLOWED_HOSTS: " + h + " is not a host name (use names such as pypi.org or *.example.com)");
            }
        }
        return new Allowlist(hosts);
    }

    public boolean allows(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        for (String p : hosts) {
            if (p.startsWith("*.") ? h.equals(p.substring(2)) || h.endsWith(p.substring(1)) : h.equals(p)) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return String.join(", ", hosts);
    }
}
