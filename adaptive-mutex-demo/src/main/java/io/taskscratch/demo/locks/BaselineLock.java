package io.taskscratch.demo.locks;

import io.taskscratch.mutex.LockMetrics;
import io.taskscratch.mutex.internal.WaitQueue;
import io.taskscratch.mutex.internal.Waiter;
import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * Common base of the baseline locks of the comparison: a non-reentrant lock word on a
 * {@link Platform}, ownership checks, and the counters of {@link LockMetrics}. Baselines support
 * {@link #lock()}, {@link #tryLock()} and {@link #unlock()} only; the timed, interruptible and
 * condition methods throw {@link UnsupportedOperationException} (the {@link Lock} contract
 * allows it) because the comparison never needs them.
 *
 * <p>The word, the owner and the acquisition count share this object's cache line; every read
 * and write of them by the lock's methods is declared with {@link Platform#lineAccess} first, so
 * the scheduler model charges the line's transfers between CPUs ({@link #owner()}, a spinner's
 * hint read right after {@link #isHeld()}, finds the line already there).
 */
public abstract class BaselineLock implements Lock {
    private static final VarHandle STATE;
    private static final VarHandle OWNER;
    private static final VarHandle ACQUISITIONS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(BaselineLock.class, "state", int.class);
            OWNER = l.findVarHandle(BaselineLock.class, "owner", PlatformTask.class);
            ACQUISITIONS = l.findVarHandle(BaselineLock.class, "acquisitions", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The platform to spin, yield, park and read time on. */
    protected final Platform platform;
    private final String name;
    /** Parks (and, for polling locks, timed parks) by waiters. */
    protected final LongAdder parks = new LongAdder();
    /** Spin or yield iterations by waiters. */
    protected final LongAdder spins = new LongAdder();

    /** 0 free, 1 held; volatile (the lock word). */
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    @SuppressWarnings("unused") // accessed through OWNER; opaque, as in AdaptiveMutex
    private PlatformTask owner;
    @SuppressWarnings("unused") // accessed through ACQUISITIONS; owner-only writes
    private long acquisitions;

    /**
     * @param platform where to spin and park
     * @param name     the name in reports, e.g. {@code ttas}
     */
    protected BaselineLock(Platform platform, String name) {
        this.platform = platform;
        this.name = name;
    }

    /** Whether the lock word says held (volatile read). */
    protected final boolean isHeld() {
        platform.lineAccess(this, false);
        return state != 0;
    }

    /** One CAS 0 to 1; records the owner on success. */
    protected final boolean casAcquire(PlatformTask me) {
        platform.lineAccess(this, true);
        if (STATE.compareAndSet(this, 0, 1)) {
            onAcquire(me);
            return true;
        }
        return false;
    }

    /**
     * One CAS 0 to 1 that records the owner without counting an acquisition: an unlocker taking
     * the word back to pick a successor.
     */
    protected final boolean relock(PlatformTask me) {
        platform.lineAccess(this, true);
        if (STATE.compareAndSet(this, 0, 1)) {
            OWNER.setOpaque(this, me);
            return true;
        }
        return false;
    }

    /** The recorded owner, or null (opaque read: a spinner's hint, the lock word decides). */
    protected final PlatformTask owner() {
        return (PlatformTask) OWNER.getOpaque(this);
    }

    /** Records {@code me} as owner: after a CAS, or after a hand-off that left the word held. */
    protected final void onAcquire(PlatformTask me) {
        platform.lineAccess(this, true); // after a CAS the line is here already; after a hand-off it comes from the unlocker
        OWNER.setOpaque(this, me);
        ACQUISITIONS.setOpaque(this, (long) ACQUISITIONS.getOpaque(this) + 1); // serialised by the lock
    }

    /** Clears the owner and the lock word (volatile store: publishes the critical section). */
    protected final void releaseWord() {
        platform.lineAccess(this, true);
        OWNER.setOpaque(this, null);
        state = 0;
    }

    /**
     * Queues a new waiter for {@code me} under {@code queue}'s lock; the volatile head store pairs
     * with an unlocker's release-then-check of the queue (Dekker).
     */
    protected final Waiter enqueue(WaitQueue queue, PlatformTask me) {
        Waiter node = new Waiter(me, null);
        queue.lock(platform);
        try {
            queue.add(node);
        } finally {
            queue.unlock();
        }
        return node;
    }

    /** Removes {@code node} from {@code queue} under its lock (a waiter that got the lock). */
    protected final void dequeue(WaitQueue queue, Waiter node) {
        queue.lock(platform);
        try {
            queue.remove(node);
        } finally {
            queue.unlock();
        }
    }

    /** Clears the owner only; the word stays held for a hand-off. */
    protected final void clearOwner() {
        platform.lineAccess(this, true);
        OWNER.setOpaque(this, null);
    }

    /**
     * Checks that the caller owns the lock.
     *
     * @throws IllegalMonitorStateException if not
     */
    protected final PlatformTask checkOwner() {
        PlatformTask me = platform.currentTask();
        if (OWNER.getOpaque(this) != me) {
            throw new IllegalMonitorStateException(me.name() + " does not own " + name);
        }
        return me;
    }

    @Override
    public boolean tryLock() {
        return casAcquire(platform.currentTask());
    }

    /** Not supported by baselines. */
    @Override
    public void lockInterruptibly() {
        throw unsupported("lockInterruptibly");
    }

    /** Not supported by baselines. */
    @Override
    public boolean tryLock(long time, TimeUnit unit) {
        throw unsupported("tryLock(time, unit)");
    }

    /** Not supported by baselines. */
    @Override
    public Condition newCondition() {
        throw unsupported("newCondition");
    }

    private UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException(name + " is a baseline lock: " + what
                + " is not supported (use AdaptiveMutex)");
    }

    /** This lock's counters; hand-offs, timeouts and deadlocks are always 0. */
    public LockMetrics metrics() {
        return new LockMetrics(name, "-", (long) ACQUISITIONS.getOpaque(this), spins.sum(), -1, parks.sum(), 0, 0, 0);
    }

    @Override
    public String toString() {
        return name + (state != 0 ? "{locked}" : "{unlocked}");
    }
}
