package dev.burrow.container;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CommandsTest {
    @TempDir
    Path tmp;

    @Test
    void aCommandPastItsTimeoutIsKilledWithWhatItStarted() throws Exception {
        Path pid = tmp.resolve("child.pid");
        // As rootless podman does: the work runs in a child; the command waits for it.
        ExecResult r = new Commands(ProcessRunner.SYSTEM).run(List.of("sh", "-c", "sleep 300 & echo $! > " + pid + "; wait"), 1);
        assertThat(r.exitCode()).isEqualTo(124);
        assertThat(r.stderr()).startsWith("timed out after 1 s");
        long child = Long.parseLong(Files.readString(pid).strip());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).as("the child it started").isFalse();
    }

    @Test
    void manyCommandsStuckAtOnceFromVirtualThreadsAreAllKilledAtTheirDeadline() throws Exception {
        // Eight podman runs stuck at once, each asked for from a virtual thread (a session's start):
        // their pipes' readers must not hold every carrier, or no caller wakes to kill its command.
        Commands commands = new Commands(ProcessRunner.SYSTEM);
        List<java.util.concurrent.Future<ExecResult>> runs = new java.util.ArrayList<>();
        long t0 = System.nanoTime();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 32; i++) runs.add(pool.submit(() -> commands.run(List.of("sh", "-c", "sleep 300 & wait"), 2)));
            for (var r : runs) assertThat(r.get(30, java.util.concurrent.TimeUnit.SECONDS).exitCode()).isEqualTo(124);
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until all were killed").isLessThan(15_000);
    }
}
