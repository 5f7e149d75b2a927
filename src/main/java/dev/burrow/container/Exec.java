package dev.burrow.container;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A command to run in a container, as the runner seam takes it: its argv (each value its own
 * element, never through a shell), what its stdin gets, at most how much it may print, and how
 * long it may take.
 */
public record Exec(List<String> argv, byte[] stdin, long maxOutputBytes, Duration timeout) {
    public Exec {
        argv = List.copyOf(argv);
        stdin = stdin == null ? new byte[0] : stdin.clone();
        if (maxOutputBytes <= 0) throw new IllegalArgumentException("maxOutputBytes must be positive");
        Objects.requireNonNull(timeout);
    }

    public static Exec of(List<String> argv, long maxOutputBytes, Duration timeout) {
        return new Exec(argv, null, maxOutputBytes, timeout);
    }

    @Override
    public byte[] stdin() {
        return stdin.clone();
    }
}
