package io.taskscratch.demo.locks;

import io.taskscratch.mutex.internal.WaitQueue;
import io.taskscratch.mutex.internal.Waiter;
import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;

/**
 * Spin-then-park baselines with a FIFO of parked waiters ({@link WaitQueue}): every waiter may
 * run a pre-park phase (a {@link SpinPhase}: nothing, N spin pauses or N yields), then queues
 * and parks. Non-fair: an unlock frees the word and wakes
 * the first waiter, which competes with newcomers (barging). Fair: an unlock hands the lock
 * straight to the first waiter, and newcomers queue behind waiters.
 *
 * <p>No owner-state information and no limit on concurrent spinners: that is what these
 * baselines stand for.
 */
public final class QueueParkingLock extends BaselineLock {
    /** What a waiter does before it parks. */
    public enum SpinPhase {
        /** Park at once (ReentrantLock/AQS-style). */
        NONE,
        /** Up to {@code n} spin pauses, trying the lock after each (glibc PTHREAD_MUTEX_ADAPTIVE_NP, n = 100). */
        PAUSES,
        /** Up to {@code n} yields, trying the lock after each (WebKit WTF::Lock, n = 40). */
        YIELDS
    }

    private final SpinPhase phase;
    private final int n;
    private final boolean fair;
    private final WaitQueue queue = new WaitQueue();

    /**
     * @param platform where to spin, yield and park
     * @param name     the name in reports
     * @param phase    the pre-park phase
     * @param n        iterations of a PAUSES or YIELDS phase (ignored for NONE)
     * @param fair     FIFO hand-off instead of barging
     */
    public QueueParkingLock(Platform platform, String name, SpinPhase phase, int n, boolean fair) {
        super(platform, name);
        this.phase = phase;
        this.n = n;
        this.fair = fair;
    }

    @Override
    public boolean tryLock() {
        return (!fair || queue.first() == null) && super.tryLock();
    }

    @Override
    public void lock() {
        PlatformTask me = platform.currentTask();
        if (tryLock() || (!fair && prePark(me))) {
            return;
        }
        Waiter node = enqueue(queue, me);
        for (;;) {
            if (fair ? node.status() == Waiter.GRANTED : casAcquire(me)) {
                break;
            }
            if (fair && queue.first() == node && casAcquire(me)) {
                break; // queued just after an unlock that found the queue empty
            }
            parks.increment();
            platform.park(this);
        }
        if (fair && node.status() == Waiter.GRANTED) {
            onAcquire(me); // the unlocker already dequeued us and left the word held
            return;
        }
        dequeue(queue, node);
    }

    /** The pre-park phase; true if it got the lock. */
    private boolean prePark(PlatformTask me) {
        int limit = phase == SpinPhase.NONE ? 0 : n;
        for (int i = 0; i < limit; i++) {
            spins.increment();
            if (phase == SpinPhase.YIELDS) {
                platform.yieldCpu();
            } else {
                platform.spinPause();
            }
            if (!isHeld() && casAcquire(me)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void unlock() {
        checkOwner();
        if (!fair) {
            releaseWord(); // volatile store, then the volatile load of head below
            Waiter first = queue.first();
            if (first != null) {
                platform.unpark(first.task);
            }
            return;
        }
        Waiter next;
        queue.lock(platform);
        try {
            next = queue.poll();
            if (next == null) {
                releaseWord();
            } else {
                clearOwner();
                next.grant(); // the word stays held: ownership moves to next
            }
        } finally {
            queue.unlock();
        }
        if (next != null) {
            platform.unpark(next.task);
        }
    }
}
