package dev.burrow.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.config.Config;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.workspace.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmPoolTest {
    @TempDir
    Path tmp;

    /** A clock the test moves. */
    static final class Moved extends Clock {
        volatile Instant now = Instant.parse("2026-12-07T10:00:00Z");

        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        public Instant instant() {
            return now;
        }
    }

    /** Makes "containers" c1, c2, … and records what it made and removed; fails while {@code failing}. */
    static final class Maker implements WarmPool.Maker {
        final AtomicInteger made = new AtomicInteger();
        final List<String> removed = new CopyOnWriteArrayList<>();
        volatile boolean failing;

        public WarmPool.Slot make(WarmPool.Key key, Source source, Session session, StartGuard.Held held) {
            if (failing) throw new IllegalStateException("no image");
            assertThat(Files.exists(session.dir().resolve(WarmPool.MARKER))).isTrue();
            return new WarmPool.Slot(key, session, Optional.empty(), "c" + made.incrementAndGet(), held);
        }

        public void remove(WarmPool.Slot slot) {
            removed.add(slot.container());
        }
    }

    final Moved clock = new Moved();
    final Maker maker = new Maker();

    WarmPool pool(int warm) {
        return new WarmPool(Config.defaults(tmp.resolve("data")).withWarm(warm), new StartGuard(), maker, clock, Duration.ofMillis(20));
    }

    Source repo() throws Exception {
        Path r = Files.createDirectories(tmp.resolve("repo"));
        return Source.parse(r.toString());
    }

    @Test
    void aKeyUsedOnceGetsAWarmContainerThatServesOneSessionAndIsReplacedByAnother() throws Exception {
        try (WarmPool pool = pool(1)) {
            pool.start(List.of());
            Source src = repo();
            WarmPool.Key key = pool.keyOf(SessionMode.CHAT, src, null, null, NetworkPolicy.FULL, false).orElseThrow();
            assertThat(pool.claim(key, src)).isEmpty(); // never used before: cold
            until(() -> pool.waiting(key) == 1);
            WarmPool.Slot first = pool.claim(key, src).orElseThrow();
            assertThat(first.container()).isEqualTo("c1");
            assertThat(first.session().dir()).isEqualTo(tmp.resolve("data").resolve("sessions").resolve(first.session().id()));
            // The next one is a new container for a new session id, never the one claimed.
            until(() -> pool.waiting(key) == 1);
            WarmPool.Slot second = pool.claim(key, src).orElseThrow();
            assertThat(second.container()).isEqualTo("c2");
            assertThat(second.session().id()).isNotEqualTo(first.session().id());
            // Other keys are other keys: another policy, another branch.
            assertThat(pool.claim(new WarmPool.Key(key.repo(), null, null, NetworkPolicy.NONE, false), src)).isEmpty();
            assertThat(pool.claim(new WarmPool.Key(key.repo(), "dev", null, NetworkPolicy.FULL, false), src)).isEmpty();
            first.held().close();
            second.held().close();
        }
    }

    @Test
    void offTerminalSessionsAndWarmZeroGetNone() throws Exception {
        Source src = repo();
        try (WarmPool pool = pool(0)) {
            pool.start(List.of());
            assertThat(pool.keyOf(SessionMode.CHAT, src, null, null, NetworkPolicy.FULL, false)).isEmpty();
        }
        try (WarmPool pool = pool(1)) {
            assertThat(pool.keyOf(SessionMode.TERMINAL, src, null, null, NetworkPolicy.FULL, false)).isEmpty();
        }
        assertThat(maker.made.get()).isZero();
    }

    @Test
    void aKeyNotUsedForADayLosesItsWarmContainerAndCloseRemovesTheRest() throws Exception {
        Source src = repo();
        try (WarmPool pool = pool(1)) {
            pool.start(List.of());
            WarmPool.Key old = new WarmPool.Key(src.display(), null, null, NetworkPolicy.FULL, false);
            WarmPool.Key fresh = new WarmPool.Key(src.display(), null, null, NetworkPolicy.ALLOWLIST, false);
            pool.claim(old, src);
            until(() -> pool.waiting(old) == 1);
            clock.now = clock.now.plus(Duration.ofHours(25));
            pool.claim(fresh, src); // wakes the filler, which finds the old key past its day
            until(() -> maker.removed.contains("c1") && pool.waiting(fresh) == 1);
            assertThat(pool.waiting(old)).isZero();
            assertThat(pool.all()).extracting(WarmPool.Slot::container).containsExactly("c2");
        }
        assertThat(maker.removed).containsExactly("c1", "c2");
    }

    @Test
    void aFailedMakeIsNotRetriedAtOnceAndLeavesNoDir() throws Exception {
        Source src = repo();
        maker.failing = true;
        try (WarmPool pool = pool(1)) {
            pool.start(List.of());
            WarmPool.Key key = new WarmPool.Key(src.display(), null, null, NetworkPolicy.FULL, false);
            pool.claim(key, src);
            Thread.sleep(300);
            maker.failing = false;
            pool.claim(key, src); // used again, within the back-off: still none
            Thread.sleep(300);
            assertThat(pool.waiting(key)).isZero();
            assertThat(maker.made.get()).isZero();
            Path sessions = tmp.resolve("data").resolve("sessions");
            if (Files.exists(sessions)) {
                try (var dirs = Files.list(sessions)) {
                    assertThat(dirs.toList()).isEmpty();
                }
            }
        }
    }

    @Test
    void sessionsOfTheLastDayAreRememberedAtStart() throws Exception {
        Source src = repo();
        Session recent = Session.builder("11111111-0000-0000-0000-000000000000", tmp.resolve("x")).repo(src.display(), Path.of(src.display()))
                .network(NetworkPolicy.NONE).build();
        clock.now = Instant.now();
        try (WarmPool pool = pool(1)) {
            pool.start(List.of(recent));
            WarmPool.Key key = new WarmPool.Key(src.display(), null, null, NetworkPolicy.NONE, false);
            until(() -> pool.waiting(key) == 1);
        }
    }

    static void until(java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("not within 5 s");
            Thread.sleep(10);
        }
    }
}
