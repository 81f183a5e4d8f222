package io.taskscratch.mutex.internal;

import io.taskscratch.platform.Platform;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * A FIFO of {@link Waiter}s guarded by a tiny test-and-set lock, the counterpart of the kernel
 * mutex's {@code wait_lock}. Guarded sections only relink a few nodes and update the owning
 * lock's state word; they never call the {@link Platform} (no park, no unpark), so in the
 * scheduler model no task is ever switched out while holding the guard. On real threads a guard
 * holder may be preempted; waiters for the guard spin briefly, then yield.
 *
 * <p>{@link #head} is volatile so a waiter can check "am I first?" without the guard, and so an
 * unlocker's store to the lock word followed by a load of {@code head} pairs, Dekker-style, with
 * a waiter's enqueue followed by a load of the lock word.
 *
 * <p>Internal: exported only to the demo module's baseline locks.
 */
public final class WaitQueue {
    private static final VarHandle GUARD;
    private static final int GUARD_SPINS_BEFORE_YIELD = 64;

    static {
        try {
            GUARD = MethodHandles.lookup().findVarHandle(WaitQueue.class, "guard", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through GUARD
    private int guard;
    private volatile Waiter head;
    private Waiter tail;
    private int size;

    /** Takes the guard. */
    public void lock(Platform platform) {
        int spins = 0;
        while (!GUARD.compareAndSet(this, 0, 1)) { // CAS: acquire semantics for the guarded section
            if (++spins % GUARD_SPINS_BEFORE_YIELD == 0) {
                platform.yieldCpu();
            } else {
                platform.spinPause();
            }
        }
    }

    /** Releases the guard: a release store publishes the section's writes. */
    public void unlock() {
        GUARD.setRelease(this, 0);
    }

    /** First waiter or null; safe without the guard (volatile read). */
    public Waiter first() {
        return head;
    }

    /** Number of queued waiters (guard held). */
    public int size() {
        return size;
    }

    /** Appends {@code w} (guard held). */
    public void add(Waiter w) {
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
        size++;
    }

    /**
     * Calls {@code action} on every queued waiter, first to last (guard held).
     *
     * @param action what to do with each waiter
     */
    public void forEach(Consumer<Waiter> action) {
        for (Waiter p = head; p != null; p = p.next) {
            action.accept(p);
        }
    }

    /** Removes and returns the first waiter, or null (guard held). */
    public Waiter poll() {
        Waiter h = head;
        if (h != null) {
            unlinkAfter(null, h);
        }
        return h;
    }

    /** Removes {@code w} if queued (guard held). Linear: queues are short and removal is rare. */
    public boolean remove(Waiter w) {
        Waiter prev = null;
        for (Waiter p = head; p != null; prev = p, p = p.next) {
            if (p == w) {
                unlinkAfter(prev, p);
                return true;
            }
        }
        return false;
    }

    private void unlinkAfter(Waiter prev, Waiter w) {
        Waiter next = w.next;
        if (prev == null) {
            head = next;
        } else {
            prev.next = next;
        }
        if (tail == w) {
            tail = prev;
        }
        w.next = null;
        size--;
    }
}
