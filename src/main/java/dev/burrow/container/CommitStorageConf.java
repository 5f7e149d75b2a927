package dev.burrow.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Podman 4.3's {@code commit} reads the store's paths anew from the user's storage.conf and
 * fails ("runroot must be set") where that file sets other keys but no runroot, as a file that
 * only picks the overlay driver does; every other command fills in the defaults. For a commit
 * Burrow then hands Podman (CONTAINERS_STORAGE_CONF) a copy of that file with the paths the
 * store runs with written in.
 */
final class CommitStorageConf {
    private static final Pattern RUNROOT = Pattern.compile("(?m)^\\s*runroot\\s*=");
    private static final Pattern GRAPHROOT = Pattern.compile("(?m)^\\s*graphroot\\s*=");
    private static final Pattern STORAGE = Pattern.compile("(?m)^\\s*\\[storage]\\s*$");

    private CommitStorageConf() {
    }

    /** The user's storage.conf, as Podman finds it. */
    static Path userConf(java.util.Map<String, String> env, String home) {
        String named = env.get("CONTAINERS_STORAGE_CONF");
        String xdg = env.get("XDG_CONFIG_HOME");
        return named != null && !named.isBlank() ? Path.of(named)
                : Path.of(xdg != null && !xdg.isBlank() ? xdg : home + "/.config", "containers", "storage.conf");
    }

    static Path forCommit(Supplier<String[]> paths) {
        return forCommit(userConf(System.getenv(), System.getProperty("user.home")), paths);
    }

    /** The copy to use, or null when the user's storage.conf needs none. {@code paths}: graph root, run root. */
    static Path forCommit(Path user, Supplier<String[]> paths) {
        if (!Files.isRegularFile(user)) return null;
        try {
            String text = Files.readString(user);
            if (RUNROOT.matcher(text).find()) return null;
            String[] p = paths.get();
            String lines = "runroot = \"" + toml(p[1]) + "\"\n" + (GRAPHROOT.matcher(text).find() ? "" : "graphroot = \"" + toml(p[0]) + "\"\n");
            var m = STORAGE.matcher(text);
            String out = m.find() ? text.substring(0, m.end()) + "\n" + lines + text.substring(m.end()) : "[storage]\n" + lines + text;
            Path copy = Files.createTempFile("burrow-storage-", ".conf");
            Files.writeString(copy, out);
            return copy;
        } catch (IOException e) {
            return null;
        }
    }

    static void delete(Path copy) {
        if (copy == null) return;
        try {
            Files.deleteIfExists(copy);
        } catch (IOException ignored) {
            // a temp file
        }
    }

    private static String toml(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
