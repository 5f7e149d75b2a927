package dev.burrow.it;

import dev.burrow.session.SessionState;
import dev.burrow.session.Session;
import dev.burrow.Burrow;
import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a condition with a deadline; fails the test with {@code what} when it never holds. */
final class Eventually {
    private Eventually() {
    }

    static void await(Duration atMost, String what, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + atMost.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.call())) return;
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
        throw new AssertionError("timed out after " + atMost.toSeconds() + " s waiting for " + what, last);
    }

    /** Waits until the session is in {@code state}; returns it as it is then. */
    static Session state(Burrow burrow, String id, SessionState state, Duration atMost) {
        await(atMost, "session " + id + " to be " + state.label(), () -> burrow.sessions().get(id).state() == state);
        return burrow.sessions().get(id);
    }

    /** Waits until the session's turn has ended and it waits for the user. */
    static Session idle(Burrow burrow, String id) {
        return state(burrow, id, SessionState.IDLE, Duration.ofSeconds(90));
    }
}
