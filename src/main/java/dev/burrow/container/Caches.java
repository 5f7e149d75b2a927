package dev.burrow.container;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The dependency caches sessions share, each a named Podman volume mounted where its tool
 * keeps downloads in the runner image. Only what is safe to share is shared: Gradle's caches/
 * and wrapper/, never its daemon/ (a shared daemon dir hands sessions stale daemons).
 *
 * <p>A cache holds code that later sessions run (a Maven plugin, a Gradle distribution), and
 * an agent can write anything into it, so by default the caches are per source repository
 * ({@link Scope#REPOSITORY}): sessions of one repository share them (they could already
 * influence each other through commits), sessions of another get their own.
 * {@link Scope#GLOBAL} shares one set among all sessions, by the user's choice.
 */
public final class Caches {
    /** Whose sessions share a cache volume. */
    public enum Scope {
        REPOSITORY, GLOBAL;

        public static Scope parse(String setting) {
            String v = setting == null ? "" : setting.strip().toLowerCase(java.util.Locale.ROOT);
            return switch (v) {
                case "", "repository" -> REPOSITORY;
                case "global" -> GLOBAL;
                default -> throw new IllegalArgumentException("BURROW_CACHE_SCOPE must be repository or global, not \"" + setting + "\"");
            };
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

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

    /** The mounts for the enabled caches, shared among all sessions. */
    public static List<Mount> mounts(Set<String> enabled) {
        return DIRS.stream().filter(d -> enabled.contains(d.cache())).map(d -> Mount.volume(d.volume(), d.path())).toList();
    }

    /**
     * The mounts for the enabled caches of sessions of {@code repository} (its identity,
     * {@link #repositoryKey}): volumes of their own under {@link Scope#REPOSITORY}, named
     * {@code burrow-cache-NAME-HASH}, where HASH is the first 12 hex digits of the identity's SHA-256.
     */
    public static List<Mount> mounts(Set<String> enabled, Scope scope, String repository) {
        if (scope == Scope.GLOBAL) return mounts(enabled);
        String suffix = "-" + hash(repository);
        return DIRS.stream().filter(d -> enabled.contains(d.cache())).map(d -> Mount.volume(d.volume() + suffix, d.path())).toList();
    }

    /**
     * A repository's identity for its caches: a URL without its credentials (user info and
     * password), or a local repository's real path (its links resolved, so two ways to name one
     * repository are one).
     */
    public static String repositoryKey(String url, java.nio.file.Path localRepository) {
        if (url != null) {
            String u = url.strip().replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1");
            return u.replaceFirst("\\.git$", "").replaceFirst("/+$", "");
        }
        try {
            return localRepository.toRealPath().toString();
        } catch (java.io.IOException e) {
            return localRepository.toAbsolutePath().normalize().toString();
        }
    }

    static String hash(String key) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
