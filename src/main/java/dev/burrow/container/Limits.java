package dev.burrow.container;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A session container's resource limits, as `podman run` takes them; each null means Podman's
 * default. Rootless Podman enforces them only on cgroups v2 (the doctor says when it cannot).
 *
 * @param memory such as 8g or 512m
 * @param cpus   such as 4 or 1.5
 * @param pids   the most processes at once
 */
public record Limits(String memory, String cpus, Integer pids) {
    public static final Limits NONE = new Limits(null, null, null);

    public Limits {
        if (memory != null && !memory.matches("\\d+(\\.\\d+)?[bkmg]?")) {
            throw new IllegalArgumentException("BURROW_MEMORY must be a size such as 8g or 512m, not \"" + memory + "\"");
        }
        if (cpus != null && (!cpus.matches("\\d+(\\.\\d+)?") || Double.parseDouble(cpus) <= 0)) {
            throw new IllegalArgumentException("BURROW_CPUS must be a number of CPUs such as 4 or 1.5, not \"" + cpus + "\"");
        }
        if (pids != null && pids < 1) throw new IllegalArgumentException("BURROW_PIDS must be a positive number of processes");
    }

    /** Reads the three settings; blank or missing means no limit of that kind. */
    public static Limits parse(String memory, String cpus, String pids) {
        Integer p;
        try {
            p = blank(pids) ? null : Integer.valueOf(pids.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("BURROW_PIDS must be a positive number of processes, not \"" + pids + "\"");
        }
        return new Limits(blank(memory) ? null : memory.strip().toLowerCase(Locale.ROOT), blank(cpus) ? null : cpus.strip(), p);
    }

    public boolean any() {
        return memory != null || cpus != null || pids != null;
    }

    /**
     * The most processes the user may have while one of a session's runs: the session's own
     * processes count against it (under keep-id they are the user's), so a fork bomb stops
     * there even where the cgroup's pids limit does not hold (cgroups v1, rootless). It counts
     * all of the user's processes and threads, not the session's alone, hence not {@code pids}
     * but {@value #DEFAULT_NPROC}: room for a desktop's own threads besides a build's. Never
     * above Burrow's own hard limit, which Podman could not set.
     */
    public int nproc() {
        return (int) Math.min(DEFAULT_NPROC, OWN_HARD_NPROC);
    }

    static final int DEFAULT_NPROC = 8192;
    private static final long OWN_HARD_NPROC = ownHardNproc();

    /** "Max processes" of /proc/self/limits, its hard column; unlimited when it cannot be read. */
    static long ownHardNproc() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (!line.startsWith("Max processes")) continue;
                String[] f = line.substring("Max processes".length()).trim().split("\\s+");
                return f[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[1]);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // unknown: Podman says so if it cannot set it
        }
        return Long.MAX_VALUE;
    }

    List<String> runArgs() {
        List<String> out = new ArrayList<>();
        out.addAll(List.of("--ulimit", "nproc=" + nproc() + ":" + nproc()));
        if (memory != null) out.addAll(List.of("--memory", memory));
        if (cpus != null) out.addAll(List.of("--cpus", cpus));
        if (pids != null) out.addAll(List.of("--pids-limit", pids.toString()));
        return out;
    }

    /** In words, for the doctor and the session's details. */
    public String describe() {
        if (!any()) return "Podman's defaults";
        List<String> parts = new ArrayList<>();
        if (memory != null) parts.add("memory " + memory);
        if (cpus != null) parts.add(cpus + " CPUs");
        if (pids != null) parts.add(pids + " processes");
        return String.join(", ", parts);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
