package dev.burrow.session;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Where session container starts wait their turn: at most {@code slots} run at once, the rest
 * in the order they came. Podman 4.3 hangs when handed a burst (16 {@code podman run} at once
 * here, for minutes), and on a small machine starts are CPU-bound, so a bounded queue starts a
 * burst sooner than letting it all in. A waiter hears its place as it changes ("3 ahead").
 *
 * <p>The per-turn save does not come through here: it has a bound of its own, so work leaves
 * the containers after every turn whatever is queued to start.
 *
 * <p>Lock rule: {@code lock} guards {@code waiting} and {@code running}; the start itself runs
 * outside it.
 */
final class StartQueue {
    private final int slots;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final Condition changed = lock.newCondition();
    private final Deque<Object> waiting = new ArrayDeque<>();
    private int running;

    StartQueue(int slots) {
        if (slots < 1) throw new IllegalArgumentException("at least one start at a time");
        this.slots = slots;
    }

    /**
     * Runs {@code start} when its turn comes; {@code place} hears the waiter's place in line
     * each time it changes (1: next), then 0 as it starts. Interrupted while waiting, it gives
     * up its place.
     */
    <T> T run(IntConsumer place, Supplier<T> start) {
        Objects.requireNonNull(start);
        Object me = new Object();
        lock.lock();
        try {
            waiting.addLast(me);
            int told = -1;
            while (!(waiting.peekFirst() == me && running < slots)) {
                int line = placeOf(me);
                if (line != told) {
                    told = line;
                    tell(place, line);
                }
                changed.await(1, TimeUnit.SECONDS);
            }
            waiting.removeFirst();
            running++;
            changed.signalAll();
        } catch (InterruptedException e) {
            waiting.remove(me);
            changed.signalAll();
            Thread.currentThread().interrupt();
            throw new SessionException(SessionException.Kind.UNAVAILABLE, "stopped while waiting to start");
        } finally {
            lock.unlock();
        }
        try {
            tell(place, 0);
            return start.get();
        } finally {
            lock.lock();
            try {
                running--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** How many wait or start now (for the doctor and the bench). */
    int load() {
        lock.lock();
        try {
            return waiting.size() + running;
        } finally {
            lock.unlock();
        }
    }

    private int placeOf(Object me) {
        int n = 1;
        for (Object o : waiting) {
            if (o == me) return n;
            n++;
        }
        throw new IllegalStateException("not waiting");
    }

    private static void tell(IntConsumer place, int ahead) {
        try {
            place.accept(ahead);
        } catch (RuntimeException ignored) {
            // a listener's failure is not the start's
        }
    }
}
