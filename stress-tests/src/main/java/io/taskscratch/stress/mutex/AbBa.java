package io.taskscratch.stress.mutex;

import io.taskscratch.mutex.AcquireResult;
import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.mutex.HeldLocks;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * rqspinlock's AA and AB/BA checks for two actors: one takes A then B (and first re-takes A:
 * AA), the other B then A, with a rendezvous after the first lock so that the two rounds
 * really overlap. Shared by {@link ResilientDeadlockTest} and its broken twin, which differ in
 * how they acquire.
 *
 * <p>Result: (actor 1's second acquire, actor 2's second acquire, dirty) with 0 = OK,
 * 1 = DEADLOCK, 2 = TIMEOUT, 3 = the first acquire already failed; dirty = 1 if AA did not give
 * DEADLOCK, or a held-locks table was not empty afterwards, or a lock was left held or queued.
 */
final class AbBa {
    /** The acquire bound of both variants; an undetected AB/BA costs it once per actor. */
    static final long TIMEOUT_MILLIS = 50;
    private static final long RENDEZVOUS_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** How a variant acquires (the lock methods of the twin map onto the same results). */
    @FunctionalInterface
    interface Acquirer {
        AcquireResult acquire(AdaptiveMutex m);
    }

    private final AdaptiveMutex a;
    private final AdaptiveMutex b;
    private final AtomicInteger arrived = new AtomicInteger();
    /** Each written by one actor, read by the arbiter. */
    private int dirty1;
    private int dirty2;

    AbBa(AdaptiveMutex a, AdaptiveMutex b) {
        this.a = a;
        this.b = b;
    }

    /** Actor 1: A, AA on A, B. */
    void first(Acquirer acq, III_Result r) {
        r.r1 = lockBoth(acq, a, b, true);
    }

    /** Actor 2: B, A. */
    void second(Acquirer acq, III_Result r) {
        r.r2 = lockBoth(acq, b, a, false);
    }

    /** Takes {@code first} then {@code second}; {@code actor1} also checks AA and reports into dirty1, else dirty2. */
    private int lockBoth(Acquirer acq, AdaptiveMutex first, AdaptiveMutex second, boolean actor1) {
        boolean dirty = false;
        int result;
        if (acq.acquire(first) != AcquireResult.OK) {
            arrived.incrementAndGet();
            result = 3;
        } else {
            if (actor1 && acq.acquire(first) != AcquireResult.DEADLOCK) {
                dirty = true;
            }
            arrived.incrementAndGet();
            long start = System.nanoTime();
            while (arrived.get() < 2 && System.nanoTime() - start < RENDEZVOUS_NANOS) {
                Thread.onSpinWait(); // both hold their first lock: the second acquires overlap
            }
            AcquireResult got = acq.acquire(second);
            if (got == AcquireResult.OK) {
                second.unlock();
            }
            first.unlock();
            result = switch (got) {
                case OK -> 0;
                case DEADLOCK -> 1;
                case TIMEOUT -> 2;
            };
        }
        dirty |= HeldLocks.Provider.perThread().current().count() != 0;
        if (actor1) {
            dirty1 = dirty ? 1 : 0;
        } else {
            dirty2 = dirty ? 1 : 0;
        }
        return result;
    }

    /** Arbiter: r3 = dirty. */
    void check(III_Result r) {
        boolean clean = !a.isLocked() && !b.isLocked() && !a.hasQueuedWaiters() && !b.hasQueuedWaiters()
                && dirty1 == 0 && dirty2 == 0;
        r.r3 = clean ? 0 : 1;
    }
}
