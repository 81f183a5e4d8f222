package io.taskscratch.stress.mutex;

import io.taskscratch.stress.rcu.Delay;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The lock/unlock/park race: a holder takes the lock briefly while a waiter tries to get it with
 * a long timeout. A lock that loses the waiter's wake-up leaves it parked with the lock free
 * until its park times out. Shared by {@link LostWakeupTest} and its broken twin.
 *
 * <p>Result: (waiter acquired, waiter went on waiting for at least half the timeout while the
 * lock was free, i.e. after both its own start and the release). A correct lock wakes the waiter
 * at once; it can be that late only if the waiter's thread was stalled that long. Measuring from
 * the later of the two matters: jcstress does not start the two actors of a state at the same
 * moment, so a release may precede the waiter's start by far.
 */
final class WakeupRace {
    /** The waiter's bound; a lost wake-up costs at most this much once. */
    static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(400);

    private volatile long releasedAt;

    /** Holder: lock, a short section, unlock, note the time. */
    void hold(Lock lock) {
        lock.lock();
        try {
            Delay.spin();
        } finally {
            lock.unlock();
        }
        releasedAt = System.nanoTime();
    }

    /** Waiter: tryLock with the timeout; records how and when it ended. */
    void await(Lock lock, II_Result r) {
        long start = System.nanoTime();
        boolean acquired;
        try {
            acquired = lock.tryLock(TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw new AssertionError("nobody interrupts jcstress actors", e);
        }
        long done = System.nanoTime();
        if (acquired) {
            lock.unlock();
        }
        long released = releasedAt; // 0 while the holder has not released (or waits behind us)
        r.r1 = acquired ? 1 : 0;
        r.r2 = released != 0 && done - Math.max(released, start) > TIMEOUT_NANOS / 2 ? 1 : 0;
    }
}
