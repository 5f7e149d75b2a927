package dev.burrow.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing per client address: after {@link #FREE_FAILURES} failures in a
 * row, each further attempt waits twice as long as the one before, up to {@link #MAX_WAIT}.
 * Keyed by the real client address, so that one attacker locks out only itself.
 */
public final class LoginThrottle {
    static final int FREE_FAILURES = 5;
    static final Duration MAX_WAIT = Duration.ofMinutes(15);
    static final int MAX_TRACKED = 10_000;

    private record Failures(int count, Instant blockedUntil, Instant last) {
    }

    private final Map<String, Failures> byAddress = new ConcurrentHashMap<>();
    private final Clock clock;

    public LoginThrottle(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    /** How long this address must wait before it may try again; zero when it may try now. */
    public Duration waitFor(String address) {
        Failures f = byAddress.get(address);
        if (f == null || f.blockedUntil() == null) return Duration.ZERO;
        Duration left = Duration.between(clock.instant(), f.blockedUntil());
        return left.isNegative() ? Duration.ZERO : left;
    }

    public void failed(String address) {
        // Bounded memory under a flood of addresses: the address that failed longest ago is forgotten,
        // never everyone at once (which would free a blocked attacker along with the rest).
        while (byAddress.size() >= MAX_TRACKED && !byAddress.containsKey(address)) {
            byAddress.entrySet().stream().min(Map.Entry.comparingByValue(Comparator.comparing(Failures::last)))
                    .ifPresent(oldest -> byAddress.remove(oldest.getKey(), oldest.getValue()));
        }
        byAddress.compute(address, (a, f) -> {
            int count = f == null ? 1 : f.count() + 1;
            Instant until = null;
            if (count >= FREE_FAILURES) {
                long seconds = Math.min(MAX_WAIT.toSeconds(), 1L << Math.min(20, count - FREE_FAILURES));
                until = clock.instant().plusSeconds(seconds);
            }
            return new Failures(count, until, clock.instant());
        });
    }

    public void succeeded(String address) {
        byAddress.remove(address);
    }
}
