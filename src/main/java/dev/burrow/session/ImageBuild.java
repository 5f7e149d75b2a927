package dev.burrow.session;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How far the runner image build is, in one line for pages, the API and waiting starts:
 * "building the runner image: step 3 of 12, 1 min 5 s" (steps from Podman's "STEP 3/12:"
 * lines), or why it failed. Empty when no build is under way or failed. Thread-safe: one
 * builder writes, any thread reads.
 */
final class ImageBuild {
    private static final Pattern STEP = Pattern.compile("STEP (\\d+)/(\\d+)");

    private final LongSupplier nanos;
    private volatile boolean running;
    private volatile long started;
    private volatile String step = "";
    private volatile String failure;

    ImageBuild() {
        this(System::nanoTime);
    }

    ImageBuild(LongSupplier nanos) {
        this.nanos = nanos;
    }

    void begin() {
        failure = null;
        step = "";
        started = nanos.getAsLong();
        running = true;
    }

    /** A line of the build's output; Podman's step lines move the count, the last phase lines say what runs after the steps. */
    void step(String line) {
        Matcher m = STEP.matcher(line);
        if (m.find()) step = "step " + m.group(1) + " of " + m.group(2);
        else if (line.startsWith("preparing the image")) step = "preparing it for this user's containers";
    }

    /** The build ended: {@code why} null when it succeeded. */
    void end(String why) {
        failure = why == null ? null : "the runner image could not be built: " + why;
        running = false;
    }

    boolean running() {
        return running;
    }

    Optional<String> line() {
        if (running) {
            long s = Duration.ofNanos(nanos.getAsLong() - started).toSeconds();
            String elapsed = s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
            return Optional.of("building the runner image" + (step.isEmpty() ? "" : ": " + step) + ", " + elapsed
                    + " (once per Burrow version; minutes on a fresh machine)");
        }
        return Optional.ofNullable(failure);
    }
}
