package dev.burrow.session;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StartQueueTest {
    @Test
    void atMostSlotsStartAtOnceAndTheRestGoInTheOrderTheyCame() throws Exception {
        StartQueue queue = new StartQueue(2);
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Integer> order = new CopyOnWriteArrayList<>();
        // One latch per start: released one at a time, so each freed slot has one rightful next start.
        List<CountDownLatch> releases = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) releases.add(new CountDownLatch(1));
        List<Thread> threads = new java.util.ArrayList<>();
        List<List<Integer>> places = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            List<Integer> heard = new CopyOnWriteArrayList<>();
            places.add(heard);
            threads.add(Thread.ofVirtual().start(() -> queue.run(heard::add, () -> {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                order.add(n);
                try {
                    releases.get(n).await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                now.decrementAndGet();
                return n;
            })));
            // One at a time into the queue, so the order they came in is known.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (queue.load() < i + 1 && System.nanoTime() < until) Thread.sleep(5);
        }
        assertThat(queue.load()).isEqualTo(6);
        assertThat(order).containsExactly(0, 1);
        assertThat(places.get(5)).as("the last one heard its place").contains(4);
        for (int k = 0; k < 6; k++) {
            releases.get(k).countDown();
            int started = Math.min(6, k + 3);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (order.size() < started && System.nanoTime() < until) Thread.sleep(2);
        }
        for (Thread t : threads) t.join(5000);
        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(most.get()).isEqualTo(2);
        // Places count down to 0 (starting), never up.
        for (List<Integer> heard : places) {
            assertThat(heard.getLast()).isZero();
            assertThat(heard).isSortedAccordingTo((a, b) -> Integer.compare(b, a));
        }
        assertThat(queue.load()).isZero();
    }

    @Test
    void aFailedStartGivesItsSlotBackAndAnInterruptedWaiterItsPlace() throws Exception {
        StartQueue queue = new StartQueue(1);
        assertThatThrownBy(() -> queue.run(p -> { }, () -> {
            throw new IllegalStateException("podman run failed");
        })).hasMessage("podman run failed");
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofVirtual().start(() -> queue.run(p -> { }, () -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return 1;
        }));
        holding.await();
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                queue.run(p -> { }, () -> 2);
            } catch (SessionException e) {
                failure.set(e);
            }
        });
        while (queue.load() < 2) Thread.sleep(5);
        waiter.interrupt();
        waiter.join(5000);
        assertThat(failure.get()).hasMessageContaining("stopped while waiting");
        release.countDown();
        holder.join(5000);
        assertThat(queue.run(p -> { }, () -> "free again")).isEqualTo("free again");
        assertThat(queue.load()).isZero();
    }
}
