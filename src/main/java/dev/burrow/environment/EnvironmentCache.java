package dev.burrow.environment;

import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerEngine.OwnImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The environments' images on this machine (built ones and set-up ones): listed, removed, and
 * kept under a cap on their size ({@code BURROW_ENV_CACHE_GB}, 50 by default), the oldest
 * removed first. Sizes are Podman's, which counts the layers images share once per image: the
 * sum is the most they can take.
 */
public final class EnvironmentCache {
    public static final long DEFAULT_CAP = 50L * 1024 * 1024 * 1024;

    private final ContainerEngine engine;
    private final long cap;

    public EnvironmentCache(ContainerEngine engine, long cap) {
        this.engine = Objects.requireNonNull(engine);
        this.cap = cap;
    }

    /** The cap from BURROW_ENV_CACHE_GB (a number of GiB), else the default. */
    public static long cap(java.util.Map<String, String> env) {
        String v = env.get("BURROW_ENV_CACHE_GB");
        if (v == null || v.isBlank()) return DEFAULT_CAP;
        try {
            double gb = Double.parseDouble(v.strip());
            if (gb < 0) throw new NumberFormatException();
            return (long) (gb * 1024 * 1024 * 1024);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("BURROW_ENV_CACHE_GB must be a number of GiB, such as 50");
        }
    }

    /** Newest first. */
    public List<OwnImage> list() {
        List<OwnImage> all = new ArrayList<>(engine.ownImages(EnvironmentImages.REPOSITORY));
        all.sort(Comparator.comparingLong(EnvironmentCache::made).reversed());
        return all;
    }

    public long cap() {
        return cap;
    }

    public static long made(OwnImage i) {
        try {
            return Long.parseLong(i.labels().getOrDefault(EnvironmentImages.MADE_LABEL, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public static String kind(OwnImage i) {
        return i.labels().getOrDefault(SetupSnapshots.KIND_LABEL, "build").equals("setup") ? "set up" : "built";
    }

    /** Removes the oldest images until the rest fit the cap, never {@code keep}; returns the names removed. */
    public List<String> trim(String keep) {
        // Images untagged while in use (Rebuild environment): gone once no container uses them.
        for (String id : engine.unnamedOwnImages(EnvironmentImages.KEY_LABEL)) {
            try {
                engine.removeImage(id);
            } catch (RuntimeException e) {
                // still in use
            }
        }
        List<OwnImage> all = list();
        long total = all.stream().mapToLong(OwnImage::size).sum();
        List<String> removed = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && total > cap; i--) {
            OwnImage img = all.get(i);
            if (img.id().equals(keep) || img.tag().equals(keep)) continue;
            try {
                engine.removeImage(img.tag());
                removed.add(img.tag());
                total -= img.size();
            } catch (RuntimeException e) {
                // in use by a container, or a set-up image's parent: kept, and the next one tried
            }
        }
        return removed;
    }
}
