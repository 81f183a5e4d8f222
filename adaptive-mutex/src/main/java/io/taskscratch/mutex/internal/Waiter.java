package io.taskscratch.mutex.internal;

import io.taskscratch.mutex.HeldLocks;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.region.ScratchRegion;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A parked (or about to park) task in a {@link WaitQueue}: a lock's wait queue or a condition's.
 * Internal: exported only to the demo module's baseline locks.
 */
public final class Waiter {
    /** Still waiting. */
    public static final int WAITING = 0;
    /** Given what it waits for: the lock by hand-off, or a condition signal. */
    public static final int GRANTED = 1;
    /** Gave up (timeout, interrupt, deadlock); whoever finds it skips it. */
    public static final int CANCELLED = 2;

    private static final VarHandle STATUS;
    private static final VarHandle PARKED;

    static {
        try {
            STATUS = MethodHandles.lookup().findVarHandle(Waiter.class, "status", int.class);
            PARKED = MethodHandles.lookup().findVarHandle(Waiter.class, "parked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The waiting task. */
    public final PlatformTask task;
    /** The waiter's held-locks table in resilient mode, handed to the lock on a hand-off; else null. */
    public final HeldLocks held;
    /** The waiter's owner-state region ({@code OwnerStateSource.regionOf}), or null. */
    public final ScratchRegion region;
    /** Next in queue; written under the queue's guard, read under it too. */
    Waiter next;
    @SuppressWarnings("unused") // accessed through STATUS
    private volatile int status;
    /** Set by the waiter before it parks (AQS's WAITING status): releasers unpark only armed waiters. */
    @SuppressWarnings("unused") // accessed through PARKED
    private volatile boolean parked;

    /**
     * @param task the waiting task
     * @param held its held-locks table in resilient mode, else null
     */
    public Waiter(PlatformTask task, HeldLocks held) {
        this(task, held, null);
    }

    /**
     * @param task   the waiting task
     * @param held   its held-locks table in resilient mode, else null
     * @param region its owner-state region, published beside the owner on a hand-off; or null
     */
    public Waiter(PlatformTask task, HeldLocks held, ScratchRegion region) {
        this.task = task;
        this.held = held;
        this.region = region;
    }

    /** WAITING, GRANTED or CANCELLED (volatile read). */
    public int status() {
        return status;
    }

    /** Volatile store: publishes everything the granter wrote before (the new owner fields). */
    public void grant() {
        status = GRANTED;
    }

    /** About to park: a volatile store, followed by the waiter's volatile re-read of the lock word. */
    public void arm() {
        parked = true;
    }

    /** Back from park (woken, timed out or spurious). */
    public void disarm() {
        parked = false;
    }

    /** True for exactly one caller while the waiter is armed: that caller must unpark it. */
    public boolean tryWake() {
        return parked && PARKED.compareAndSet(this, true, false);
    }

    /** Moves WAITING to {@code to} unless someone else moved it first. */
    public boolean tryFinish(int to) {
        return STATUS.compareAndSet(this, WAITING, to);
    }
}
