package dev.burrow.credentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The lock Claude Code itself takes before it renews a login: a directory made with mkdir
 * (the proper-lockfile convention), ".oauth_refresh.lock" in the config dir and then, for
 * older versions, "&lt;config dir&gt;.lock" beside it; one older than a minute is stale. By
 * taking the same locks, Burrow never renews at the same moment as another Burrow process or
 * the user's own `claude` on the host, and the loser of a race sees the winner's new token.
 */
final class RefreshLock implements AutoCloseable {
    static final Duration STALE = Duration.ofSeconds(60);
    private final List<Path> held;

    private RefreshLock(List<Path> held) {
        this.held = held;
    }

    static RefreshLock take(Path claudeDir, Duration wait) {
        Path current = claudeDir.resolve(".oauth_refresh.lock");
        Path legacy = claudeDir.resolveSibling(claudeDir.getFileName() + ".lock");
        Instant deadline = Instant.now().plus(wait);
        take(current, deadline);
        try {
            take(legacy, deadline);
        } catch (RuntimeException e) {
            release(current);
            throw e;
        }
        return new RefreshLock(List.of(legacy, current));
    }

    private static void take(Path lock, Instant deadline) {
        while (true) {
            try {
                Files.createDirectory(lock);
                return;
            } catch (FileAlreadyExistsException e) {
                if (stale(lock)) {
                    release(lock);
                    continue;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot take the login's refresh lock " + lock, e);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new LoginException("another process is renewing the Claude login (" + lock + " is held); try again in a minute");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LoginException("interrupted while waiting for the login's refresh lock");
            }
        }
    }

    private static boolean stale(Path lock) {
        try {
            return Files.getLastModifiedTime(lock).toInstant().isBefore(Instant.now().minus(STALE));
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static void release(Path lock) {
        try {
            Files.deleteIfExists(lock);
        } catch (IOException ignored) {
            // a lock left behind goes stale in a minute
        }
    }

    @Override
    public void close() {
        held.forEach(RefreshLock::release);
    }
}
