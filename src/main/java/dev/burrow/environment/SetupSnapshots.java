package dev.burrow.environment;

import dev.burrow.container.ContainerEngine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An environment set up once: after a container's lifecycle commands (and .burrow/setup.sh)
 * succeeded, and before the session's credentials reach it, Burrow keeps the container's
 * filesystem (its mounts, the workspace among them, left out) as an image. Later sessions of
 * the same setup start from it, skipping those commands, while it is younger than its life
 * (7 days unless configured).
 *
 * <p>The key is the setup's content: the environment's image, the lifecycle commands, the
 * setup.sh, the lock files, the network policy (Burrow's proxy settings are written in the
 * agent's home) and the branch the session starts from. The branch is there because the
 * commands may read any file of the workspace, which a key of named files cannot cover: a
 * session's agent writes its own branch, and a setup made from it serves only sessions of that
 * branch, never those of the branch you work on.
 */
public final class SetupSnapshots {
    public static final String KIND_LABEL = "burrow.env.kind";
    public static final Duration DEFAULT_LIFE = Duration.ofDays(7);

    private final ContainerEngine engine;
    private final Duration life;
    private final Clock clock;
    private final Map<String, Snapshot> seen = new java.util.concurrent.ConcurrentHashMap<>();

    public SetupSnapshots(ContainerEngine engine, Duration life, Clock clock) {
        this.engine = Objects.requireNonNull(engine);
        this.life = Objects.requireNonNull(life);
        this.clock = Objects.requireNonNull(clock);
    }

    public static String tag(String key) {
        return EnvironmentImages.REPOSITORY + ":" + key.substring(0, 24) + "-setup";
    }

    /** A set-up image of this key young enough to start from: its full id and when it was made (epoch seconds). */
    public record Snapshot(String image, long made) {
        /** "2 h ago" and the like. */
        public String age(Clock clock) {
            long s = Math.max(0, clock.instant().getEpochSecond() - made);
            if (s < 90) return s + " s ago";
            if (s < 90 * 60) return (s / 60) + " min ago";
            if (s < 36 * 3600) return (s / 3600) + " h ago";
            return (s / 86400) + " days ago";
        }
    }

    public Optional<Snapshot> find(String key) {
        // Known in this process: one look that the image is still there and young enough.
        Snapshot known = seen.get(key);
        String tag = tag(key);
        if (known != null && young(known.made()) && engine.imageId(tag).filter(known.image()::equals).isPresent()) return Optional.of(known);
        var labels = engine.imageLabels(tag);
        if (labels.isEmpty() || !key.equals(labels.get().get(EnvironmentImages.KEY_LABEL))) return Optional.empty();
        long made;
        try {
            made = Long.parseLong(labels.get().getOrDefault(EnvironmentImages.MADE_LABEL, "0"));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (!young(made)) return Optional.empty();
        Optional<Snapshot> found = engine.imageId(tag).map(id -> new Snapshot(id, made));
        found.ifPresent(f -> seen.put(key, f));
        return found;
    }

    private boolean young(long made) {
        return clock.instant().getEpochSecond() - made <= life.toSeconds();
    }

    /** Keeps the container, set up, as the key's image. */
    public Snapshot keep(String container, String key, AgentUser user, String name) {
        long now = clock.instant().getEpochSecond();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(EnvironmentImages.KEY_LABEL, key);
        labels.put(EnvironmentImages.USER_LABEL, user.label());
        labels.put(EnvironmentImages.NAME_LABEL, name);
        labels.put(EnvironmentImages.MADE_LABEL, String.valueOf(now));
        labels.put(KIND_LABEL, "setup");
        Snapshot kept = new Snapshot(engine.commit(container, tag(key), labels), now);
        seen.put(key, kept);
        return kept;
    }

    /**
     * The key of a setup on {@code image}: {@code setupScript} and {@code lockFiles} (path to
     * object id, absent ones left out) as found at the session's commit.
     */
    public static String key(String image, List<Environment.Step> steps, String setupScript, Map<String, String> lockFiles, String policy,
                             String ref) {
        return key(image, steps, setupScript, lockFiles, policy, ref, Environment.WORKSPACE);
    }

    /** The same, for commands run in {@code workdir} (the environment's workspaceFolder). */
    public static String key(String image, List<Environment.Step> steps, String setupScript, Map<String, String> lockFiles, String policy,
                             String ref, String workdir) {
        StringBuilder sb = new StringBuilder("burrow-setup 1\n").append(image).append('\n').append(policy).append('\n').append(ref).append('\n');
        if (!workdir.equals(Environment.WORKSPACE)) sb.append("workdir ").append(workdir).append('\n');
        for (Environment.Step s : steps) {
            sb.append("step ").append(s.stage()).append('\u0000').append(s.name()).append('\u0000')
                    .append(s.shell() != null ? "sh " + s.shell() : "argv " + String.join("\u0000", s.argv())).append('\n');
        }
        sb.append("setup.sh ").append(setupScript).append('\n');
        new java.util.TreeMap<>(lockFiles).forEach((k, v) -> sb.append("lock ").append(k).append(' ').append(v).append('\n'));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
