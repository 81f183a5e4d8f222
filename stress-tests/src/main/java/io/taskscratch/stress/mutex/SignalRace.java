package io.taskscratch.stress.mutex;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * The await/signal race: an awaiter that finds no signal sent yet waits (with a long timeout)
 * under the lock; the signaller sends under the lock. A signaller that takes the lock after the
 * awaiter checked must find it registered and wake it. Shared by {@link LostSignalTest} and its
 * broken twin.
 *
 * <p>Result: 2 = the signal came first (no wait), 1 = woken by it, 0 = timed out although the
 * signal was sent while it waited (lost signal: {@code await} returns false only when the
 * timeout passed before a signal).
 */
final class SignalRace {
    /** The awaiter's bound; a lost signal costs this much once. */
    static final long TIMEOUT_MILLIS = 200;

    /** Guarded by the lock. */
    private boolean sent;

    /** Awaiter. */
    void await(Lock lock, Condition condition, I_Result r) {
        lock.lock();
        try {
            r.r1 = sent ? 2 : condition.await(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) ? 1 : 0;
        } catch (InterruptedException e) {
            throw new AssertionError("nobody interrupts jcstress actors", e);
        } finally {
            lock.unlock();
        }
    }

    /** Signaller. */
    void signal(Lock lock, Condition condition) {
        lock.lock();
        try {
            sent = true;
            condition.signal();
        } finally {
            lock.unlock();
        }
    }
}
