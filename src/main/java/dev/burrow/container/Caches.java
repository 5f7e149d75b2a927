package dev.burrow.container;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The dependency caches that every session shares, each a named Podman volume mounted where
 * its tool keeps downloads in the runner image. Only what is safe to share is shared: Gradle's
 * caches/ and wrapper/, never its daemon/ (a shared daemon dir hands sessions stale daemons).
 */
public final class Caches {
    /** One cache directory: the volume that holds it and where the tool looks for it. */
    public record Dir(String cache, String volume, String path) {
    }

    public static final List<Dir> DIRS = List.of(
            new Dir("maven", "burrow-cache-maven", "/home/agent/.m2/repository"),
            new Dir("gradle", "burrow-cache-gradle-caches", "/home/agent/.gradle/caches"),
            new Dir("gradle", "burrow-cache-gradle-wrapper", "/home/agent/.gradle/wrapper"),
            new Dir("npm", "burrow-cache-npm", "/home/agent/.npm"),
            new Dir("pip", "burrow-cache-pip", "/home/agent/.cache/pip"),
            new Dir("uv", "burrow-cache-uv", "/home/agent/.cache/uv"),
            new Dir("cargo", "burrow-cache-cargo-registry", "/home/agent/.cargo/registry"),
            new Dir("cargo", "burrow-cache-cargo-git", "/home/agent/.cargo/git"),
            new Dir("go", "burrow-cache-go-mod", "/home/agent/go/pkg/mod"),
            new Dir("go", "burrow-cache-go-build", "/home/agent/.cache/go-build"),
            new Dir("apt", "burrow-cache-apt", "/var/cache/apt/archives"));

    /** Every cache's name, in the order of {@link #DIRS}. */
    public static final Set<String> NAMES = DIRS.stream().map(Dir::cache).collect(Collectors.toCollection(LinkedHashSet::new));

    private Caches() {
    }

    /** The mounts for the enabled caches. */
    public static List<Mount> mounts(Set<String> enabled) {
        return DIRS.stream().filter(d -> enabled.contains(d.cache())).map(d -> Mount.volume(d.volume(), d.path())).toList();
    }

    /**
     * Reads the setting: "all" (the default), "none", or a comma-separated list of names.
     * An unknown name is an error that lists the known ones.
     */
    public static Set<String> parse(String setting) {
        String v = setting == null ? "all" : setting.strip();
        if (v.isEmpty() || v.equals("all")) return NAMES;
        if (v.equals("none")) return Set.of();
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String name : v.split(",")) {
            String n = name.strip();
            if (n.isEmpty()) continue;
            if (!NAMES.contains(n)) {
                throw new IllegalArgumentException("unknown cache \"" + n + "\" in BURROW_CACHES; use all, none, or some of: " + String.join(", ", NAMES));
            }
            out.add(n);
        }
        return Collections.unmodifiableSet(out);
    }
}
