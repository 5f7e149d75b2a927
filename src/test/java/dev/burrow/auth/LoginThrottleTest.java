package dev.burrow.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    final MutableClock clock = new MutableClock();
    final LoginThrottle throttle = new LoginThrottle(clock);

    @Test
    void fiveFailuresAreFreeThenTheWaitDoublesPerAddress() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("a");
            assertThat(throttle.waitFor("a")).isZero();
        }
        throttle.failed("a");
        assertThat(throttle.waitFor("a")).isEqualTo(Duration.ofSeconds(1));
        assertThat(throttle.waitFor("b")).isZero();
        clock.advance(Duration.ofSeconds(1));
        throttle.failed("a");
        assertThat(throttle.waitFor("a")).isEqualTo(Duration.ofSeconds(2));
        for (int i = 0; i < 30; i++) throttle.failed("a");
        assertThat(throttle.waitFor("a")).isEqualTo(LoginThrottle.MAX_WAIT);
        throttle.succeeded("a");
        assertThat(throttle.waitFor("a")).isZero();
    }

    @Test
    void aFloodOfAddressesForgetsTheOldestNotTheBlockedAttacker() {
        for (int i = 0; i < 10; i++) throttle.failed("attacker");
        Duration blocked = throttle.waitFor("attacker");
        assertThat(blocked).isPositive();
        clock.advance(Duration.ofSeconds(1));
        throttle.failed("oldest");
        for (int i = 0; i < LoginThrottle.MAX_TRACKED; i++) {
            clock.advance(Duration.ofMillis(1));
            throttle.failed("flood-" + i);
            if (i % 1000 == 0) throttle.failed("attacker"); // the attacker keeps trying: it stays among the recent ones
        }
        assertThat(throttle.waitFor("attacker")).isPositive();
        assertThat(throttle.waitFor("oldest")).isZero(); // forgotten, alone
    }
}
