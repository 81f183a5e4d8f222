package io.taskscratch.sched.workload;

import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A plain spin-then-park lock on a {@link Platform}, the model's own contention workload (the
 * project's real adaptive mutex lives in adaptive-mutex-demo). Spins a fixed number of
 * {@link Platform#spinPause()} rounds, then queues and parks. Not fair, not reentrant. Every
 * access to the owner word is declared with {@link Platform#lineAccess} first, so the model
 * charges the word's cache-line transfers.
 *
 * <p>Correct on real threads too: a waiter queues itself before its last acquire attempt and an
 * unlocker releases before it unparks the head, so a wake-up cannot be lost (park/unpark keep a
 * permit).
 */
public final class SpinParkLock {
    private final Platform platform;
    private final int spins;
    private final AtomicReference<PlatformTask> owner = new AtomicReference<>();
    private final ConcurrentLinkedQueue<PlatformTask> waiters = new ConcurrentLinkedQueue<>();

    /**
     * @param platform the platform to spin and park on
     * @param spins    spin rounds before parking (0: park at once)
     */
    public SpinParkLock(Platform platform, int spins) {
        this.platform = platform;
        this.spins = spins;
    }

    /** Acquires the lock. */
    public void lock() {
        PlatformTask me = platform.currentTask();
        if (cas(me)) {
            return;
        }
        for (int i = 0; i < spins; i++) {
            platform.spinPause();
            platform.lineAccess(owner, false);
            if (owner.get() == null && cas(me)) {
                return;
            }
        }
        // Queue once and keep the place: the unlocker wakes the oldest waiter.
        waiters.add(me);
        while (!cas(me)) {
            platform.park(this);
        }
        waiters.remove(me);
    }

    private boolean cas(PlatformTask me) {
        platform.lineAccess(owner, true);
        return owner.compareAndSet(null, me);
    }

    /** Releases the lock and wakes one waiter. */
    public void unlock() {
        platform.lineAccess(owner, true);
        owner.set(null);
        PlatformTask next = waiters.peek();
        if (next != null) {
            platform.unpark(next);
        }
    }

    /** The owner, or null. */
    public PlatformTask owner() {
        return owner.get();
    }
}
