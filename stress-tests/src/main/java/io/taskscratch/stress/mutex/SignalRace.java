package io.taskscratch.stress.mutex;

import io.taskscratch.stress.rcu.Delay;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * The await/signal race: an awaiter that finds no signal sent yet waits (with a timeout) under
 * the lock; the signaller sends under the lock. A signaller that takes the lock after the
 * awaiter checked finds it registered, and must wake it. Shared by {@link LostSignalTest} and
 * its broken twin.
 *
 * <p>Result: 2 = the signal came first (no wait); 1 = woken by it; 3 = timed out before the
 * signal was sent (a stalled signaller: jcstress does not start the two actors of a state at the
 * same moment); 0 = timed out although {@code signal()} had returned before the awaiter's
 * deadline: a lost signal. The last needs no margin: {@code await} may report a timeout only if
 * it gave up before a signal marked it, and it gives up only after its deadline.
 */
final class SignalRace {
    /** The awaiter's bound; a lost signal costs this much once. */
    static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** Guarded by the lock. */
    private boolean sent;
    /** When {@code signal()} returned; written and read under the lock. */
    private long signalledAt;

    /** Awaiter. */
    void await(Lock lock, Condition condition, I_Result r) {
        lock.lock();
        try {
            if (sent) {
                r.r1 = 2;
                return;
            }
            long start = System.nanoTime(); // the deadline inside await is at least start + TIMEOUT_NANOS
            if (condition.await(TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
                r.r1 = 1;
            } else {
                r.r1 = sent && signalledAt - start < TIMEOUT_NANOS ? 0 : 3;
            }
        } catch (InterruptedException e) {
            throw new AssertionError("nobody interrupts jcstress actors", e);
        } finally {
            lock.unlock();
        }
    }

    /** Signaller. */
    void signal(Lock lock, Condition condition) {
        Delay.spin(); // lets the awaiter get in first more often, so that it really waits
        lock.lock();
        try {
            sent = true;
            condition.signal();
            signalledAt = System.nanoTime();
        } finally {
            lock.unlock();
        }
    }
}
