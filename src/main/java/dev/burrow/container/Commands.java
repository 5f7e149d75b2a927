package dev.burrow.container;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion through a {@link ProcessRunner} and collects its output. */
public final class Commands {
    private static final Executor READERS = Executors.newVirtualThreadPerTaskExecutor();
    private final ProcessRunner runner;

    public Commands(ProcessRunner runner) {
        this.runner = Objects.requireNonNull(runner);
    }

    public ExecResult run(List<String> argv) {
        return run(argv, 120);
    }

    public ExecResult run(List<String> argv, long timeoutSeconds) {
        Process p;
        try {
            p = runner.start(List.copyOf(argv));
        } catch (IOException e) {
            return new ExecResult(argv, 127, "", argv.getFirst() + ": " + e.getMessage());
        }
        // Read both pipes concurrently so that neither fills up and blocks the child. Virtual
        // threads, not the common pool: on a 2-core machine that pool has one worker, and a
        // command run from it would wait for its own readers.
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()), READERS);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()), READERS);
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new ExecResult(argv, 124, out.getNow(""), "timed out after " + timeoutSeconds + " s: " + String.join(" ", argv));
            }
            return new ExecResult(argv, p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new ExecResult(argv, 130, "", "interrupted");
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
