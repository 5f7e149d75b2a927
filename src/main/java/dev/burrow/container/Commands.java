package dev.burrow.container;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a command to completion through a {@link ProcessRunner} and collects its output.
 *
 * <p>Thread rules: a command's pipes are read by platform threads, and its deadline is kept by a
 * platform thread that kills it. A read of a pipe blocks in the kernel and holds a virtual
 * thread's carrier all the while; with every carrier so held (eight podman runs stuck at once on
 * a 2-core machine), JDK 25 left the callers' timed waits unwoken, and a hung podman call was
 * never killed. The caller, often a virtual thread, only waits for the process to end, which the
 * deadline guarantees.
 */
public final class Commands {
    private static final ExecutorService READERS = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("burrow-pipe-", 0).factory());
    private static final ScheduledExecutorService DEADLINES =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("burrow-command-deadlines").factory());
    // The most a command run to completion may print on each stream (the programs Burrow runs this way print little).
    static final int MAX_OUTPUT = 32 * 1024 * 1024;
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
        // Read both pipes concurrently so that neither fills up and blocks the child. Not the
        // common pool: on a 2-core machine that pool has one worker, and a command run from it
        // would wait for its own readers.
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream(), p), READERS);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream(), p), READERS);
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> deadline = killAt(p, TimeUnit.SECONDS.toMillis(timeoutSeconds), late);
        try {
            p.waitFor();
            if (late.get()) {
                return new ExecResult(argv, 124, out.getNow(""), "timed out after " + timeoutSeconds + " s: " + String.join(" ", argv));
            }
            String stdout = out.join();
            String stderr = err.join();
            if (stdout.length() > MAX_OUTPUT || stderr.length() > MAX_OUTPUT) {
                return new ExecResult(argv, 125, "", "printed more than " + MAX_OUTPUT / (1024 * 1024) + " MiB: " + String.join(" ", argv));
            }
            return new ExecResult(argv, p.exitValue(), stdout, stderr);
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            return new ExecResult(argv, 130, "", "interrupted");
        } finally {
            deadline.cancel(false);
        }
    }

    /** Kills the command and all it started once {@code millis} have passed, and says so in {@code late}. */
    private static ScheduledFuture<?> killAt(Process p, long millis, AtomicBoolean late) {
        return DEADLINES.schedule(() -> {
            if (!p.isAlive()) return;
            late.set(true);
            killTree(p);
        }, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs a command with {@code exec}'s stdin, streaming its stdout into {@code stdout}. A
     * command that prints more than the cap or outlives the timeout is killed, and the answer
     * says which; stderr is kept up to 64 KiB. The answer's stdout is empty: it went to the stream.
     */
    public ExecResult stream(List<String> argv, Exec exec, OutputStream stdout) {
        return stream(argv, new ByteArrayInputStream(exec.stdin()), stdout, exec.maxOutputBytes(), exec.timeout());
    }

    /** As above, with stdin read from a stream (a tar being copied in). */
    public ExecResult stream(List<String> argv, InputStream stdin, OutputStream stdout, long maxOutputBytes, Duration timeout) {
        Process p;
        try {
            p = runner.startPiped(List.copyOf(argv));
        } catch (IOException e) {
            return new ExecResult(argv, 127, "", argv.getFirst() + ": " + e.getMessage());
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drainCapped(p.getErrorStream(), 64 * 1024), READERS);
        CompletableFuture<Void> in = CompletableFuture.runAsync(() -> {
            try (OutputStream o = p.getOutputStream(); stdin) {
                stdin.transferTo(o);
            } catch (IOException ignored) {
                // the command did not read all of it: its exit code tells
            }
        }, READERS);
        CompletableFuture<Long> out = CompletableFuture.supplyAsync(() -> copyCapped(p.getInputStream(), stdout, maxOutputBytes, p), READERS);
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> deadline = killAt(p, timeout.toMillis(), late);
        try {
            p.waitFor();
            if (late.get()) {
                return new ExecResult(argv, 124, "", "timed out after " + timeout.toSeconds() + " s: " + String.join(" ", argv));
            }
            long copied = out.join();
            in.join();
            if (copied > maxOutputBytes) {
                return new ExecResult(argv, 125, "", "printed more than " + maxOutputBytes + " bytes: " + String.join(" ", argv));
            }
            return new ExecResult(argv, p.exitValue(), "", err.join());
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            return new ExecResult(argv, 130, "", "interrupted");
        } catch (CompletionException e) {
            killTree(p);
            return new ExecResult(argv, 1, "", "could not keep the output of " + argv.getFirst() + ": " + e.getCause().getMessage());
        } finally {
            deadline.cancel(false);
        }
    }

    // Copies until the end or one byte past the cap (then kills the process); returns the bytes seen.
    private static long copyCapped(InputStream in, OutputStream out, long cap, Process p) {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                if (total + n > cap) {
                    killTree(p);
                    return cap + 1;
                }
                out.write(buf, 0, n);
                total += n;
            }
            return total;
        } catch (IOException e) {
            killTree(p); // the output has nowhere to go: stop the command now, not at its timeout
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            killTree(p);
            throw e;
        }
    }

    private static String drainCapped(InputStream in, int cap) {
        try (in) {
            byte[] kept = in.readNBytes(cap);
            in.transferTo(OutputStream.nullOutputStream());
            return new String(kept, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    // All of a command's output, up to the cap: past it the command is killed and the answer is longer than the cap.
    private static String drain(InputStream in, Process p) {
        try (in) {
            byte[] b = in.readNBytes(MAX_OUTPUT + 1);
            if (b.length > MAX_OUTPUT) {
                killTree(p);
                return new String(b, StandardCharsets.ISO_8859_1);
            }
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Kills a command and everything it started, hard. Rootless podman runs its work in a child
     * it made inside the user namespace: killing the parent alone left that child running, holding
     * Podman's locks, and every later podman call waited behind it.
     */
    static void killTree(Process p) {
        try {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        } catch (UnsupportedOperationException notAnOsProcess) {
            // a stand-in process of the tests
        }
        p.destroyForcibly();
    }
}
