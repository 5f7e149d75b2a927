package dev.burrow.credentials;

import dev.burrow.config.PrivateFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the access token of every session this process follows current: it renews the host
 * login before it runs out and rewrites each session's .credentials.json, which Claude Code
 * in the container reads again when the file changes. A login the user renewed on the host
 * (their own `claude`) reaches the sessions the same way.
 */
public final class LoginRefresher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoginRefresher.class);
    public static final String FILE = ".credentials.json";
    // How often the host file is looked at for a login renewed elsewhere; a read of a small file.
    private static final Duration LOOK = Duration.ofSeconds(15);
    private static final Duration RETRY = Duration.ofSeconds(30);

    private final ClaudeLogin login;
    private final Map<Path, String> sessions = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile boolean closed;
    private Thread thread;

    public LoginRefresher(ClaudeLogin login) {
        this.login = Objects.requireNonNull(login);
    }

    /**
     * Writes the current token into a session's Claude config dir (renewing the login first
     * when it is due) and keeps it current from then on, until the returned handle is closed.
     */
    public AutoCloseable keep(Path claudeDir) {
        LoginToken t = login.current();
        sessions.put(claudeDir, "");
        try {
            writeTo(claudeDir, t);
        } catch (RuntimeException e) {
            sessions.remove(claudeDir);
            throw e;
        }
        startOnce();
        return () -> sessions.remove(claudeDir);
    }

    /** Writes the current token into a session's Claude config dir once. */
    public void writeTo(Path claudeDir, LoginToken t) {
        Path file = claudeDir.resolve(FILE);
        PrivateFiles.write(file, t.forContainer());
        sessions.computeIfPresent(claudeDir, (k, v) -> t.accessToken());
    }

    private synchronized void startOnce() {
        if (thread != null || closed) return;
        thread = Thread.ofVirtual().name("burrow-login-refresher").start(this::loop);
    }

    private void loop() {
        while (!closed) {
            Duration sleep = LOOK;
            if (sessions.isEmpty()) {
                // No session of this process uses the login now: nothing to renew it for.
                pause(sleep);
                continue;
            }
            try {
                LoginToken t = login.current();
                sessions.forEach((dir, written) -> {
                    if (!t.accessToken().equals(written) && Files.isDirectory(dir)) writeTo(dir, t);
                });
                Duration untilDue = Duration.between(Instant.now(), t.expiresAt().minus(ClaudeLogin.RENEW_MARGIN));
                if (untilDue.compareTo(sleep) < 0) sleep = untilDue.isNegative() ? RETRY : untilDue.plusMillis(50);
            } catch (RuntimeException e) {
                LOG.warn("the Claude login could not be renewed: {}", e.getMessage());
                sleep = RETRY;
            }
            pause(sleep);
        }
    }

    private void pause(Duration d) {
        lock.lock();
        try {
            if (!closed) wake.awaitNanos(d.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
