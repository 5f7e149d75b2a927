package dev.burrow.environment;

import java.util.ArrayDeque;
import java.util.Deque;

/** Repository paths from a config's relative ones: joined, normalized, and kept inside the repository. */
final class RepoPaths {
    private RepoPaths() {
    }

    /** {@code dir} joined with {@code relative}; "" is the root. {@code where} names the config for the error. */
    static String join(String dir, String relative, String where) {
        if (relative.startsWith("/") || relative.contains("\\") || relative.contains("\u0000")) {
            throw new EnvironmentException(where + ": " + relative + " must be a path relative to it, inside the repository");
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String p : (dir.isEmpty() ? relative : dir + "/" + relative).split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                if (parts.isEmpty()) throw new EnvironmentException(where + ": " + relative + " is outside the repository; keep it inside");
                parts.removeLast();
            } else {
                parts.addLast(p);
            }
        }
        return String.join("/", parts);
    }
}
