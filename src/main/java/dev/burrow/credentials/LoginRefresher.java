package dev.burrow.credentials;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the host login current while sessions of this process use it: it renews the login
 * before it runs out, so that a model request through a session's gateway rarely waits for a
 * renewal. The tokens stay on the host: sessions hold a placeholder, and their gateways ask
 * {@link ClaudeLogin#current()} for the token at each request, which also renews it when due.
 * Every renewal, here or by another Burrow process, goes through the login's {@link RefreshLock}.
 */
public final class LoginRefresher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoginRefresher.class);
    public static final String FILE = ".credentials.json";
    // How often the host file is looked at for a login renewed elsewhere; a read of a small file.
    private static final Duration LOOK = Duration.ofSeconds(15);
    private static final Duration RETRY = Duration.ofSeconds(30);

    private final ClaudeLogin login;
    private final Set<Object> users = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile boolean closed;
    private Thread thread;

    public LoginRefresher(ClaudeLogin login) {
        this.login = Objects.requireNonNull(login);
    }

    /** Keeps the login current from now on (renewing it first when due), until the returned handle is closed. */
    public AutoCloseable keep() {
        login.current();
        Object user = new Object();
        users.add(user);
        startOnce();
        return () -> users.remove(user);
    }

    private synchronized void startOnce() {
        if (thread != null || closed) return;
        thread = Thread.ofVirtual().name("burrow-login-refresher").start(this::loop);
    }

    private void loop() {
        while (!closed) {
            Duration sleep = LOOK;
            if (users.isEmpty()) {
                // No session of this process uses the login now: nothing to renew it for.
                pause(sleep);
                continue;
            }
            try {
                LoginToken t = login.current();
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
