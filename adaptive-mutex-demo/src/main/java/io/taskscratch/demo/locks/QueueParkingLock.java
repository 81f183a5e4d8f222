package io.taskscratch.demo.locks;

import io.taskscratch.mutex.internal.WaitQueue;
import io.taskscratch.mutex.internal.Waiter;
import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;

/**
 * Spin-then-park baselines with a FIFO of parked waiters ({@link WaitQueue}): every waiter may
 * run a pre-park phase (a {@link SpinPhase}: nothing, N spin pauses, N yields, or HotSpot's
 * adaptive monitor spin), then queues and parks. Non-fair: an unlock frees the word and wakes
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
        YIELDS,
        /**
         * HotSpot's ObjectMonitor adaptive spin: a per-lock spin duration (in spin pauses) that
         * grows by 100 after a spin that got the lock (first raised to 1000 if below) and shrinks
         * by 200 after one that did not, capped at 5000.
         */
        HOTSPOT_ADAPTIVE
    }

    private static final int HOTSPOT_SPIN_LIMIT = 5000;
    private static final int HOTSPOT_BONUS = 100;
    private static final int HOTSPOT_PENALTY = 200;
    private static final int HOTSPOT_POVERTY = 1000;

    private final SpinPhase phase;
    private final int n;
    private final boolean fair;
    private final WaitQueue queue = new WaitQueue();
    /** HotSpot's {@code _SpinDuration}: racy plain updates, as in HotSpot. */
    private int spinDuration = HOTSPOT_SPIN_LIMIT;

    /**
     * @param platform where to spin, yield and park
     * @param name     the name in reports
     * @param phase    the pre-park phase
     * @param n        iterations of a PAUSES or YIELDS phase (ignored otherwise)
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
        Waiter node = new Waiter(me, null);
        queue.lock(platform);
        try {
            queue.add(node); // the volatile head store pairs with unlock's store-then-load (Dekker)
        } finally {
            queue.unlock();
        }
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
        queue.lock(platform);
        try {
            queue.remove(node);
        } finally {
            queue.unlock();
        }
    }

    /** The pre-park phase; true if it got the lock. */
    private boolean prePark(PlatformTask me) {
        int limit = switch (phase) {
            case NONE -> 0;
            case PAUSES, YIELDS -> n;
            case HOTSPOT_ADAPTIVE -> spinDuration;
        };
        for (int i = 0; i < limit; i++) {
            spins.increment();
            if (phase == SpinPhase.YIELDS) {
                platform.yieldCpu();
            } else {
                platform.spinPause();
            }
            if (!isHeld() && casAcquire(me)) {
                if (phase == SpinPhase.HOTSPOT_ADAPTIVE) {
                    spinDuration = Math.min(HOTSPOT_SPIN_LIMIT, Math.max(spinDuration, HOTSPOT_POVERTY) + HOTSPOT_BONUS);
                }
                return true;
            }
        }
        if (phase == SpinPhase.HOTSPOT_ADAPTIVE) {
            spinDuration = Math.max(0, spinDuration - HOTSPOT_PENALTY);
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
