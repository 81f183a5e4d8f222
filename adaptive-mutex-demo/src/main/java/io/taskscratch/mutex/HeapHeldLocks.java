package io.taskscratch.mutex;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * {@link HeldLocks} on the Java heap: an array of {@link #CAPACITY} references and a count.
 * The owner writes entries with release stores before publishing a larger count (release), and
 * clears an entry before publishing the smaller count, so a reader that loads the count with
 * acquire and then an entry sees an entry at least as new as that count.
 */
public final class HeapHeldLocks implements HeldLocks {
    private static final VarHandle ENTRIES = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(HeapHeldLocks.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Object[] entries = new Object[CAPACITY];
    @SuppressWarnings("unused") // accessed through COUNT
    private int count;

    /** An empty table. */
    public HeapHeldLocks() {
    }

    @Override
    public int count() {
        return (int) COUNT.getAcquire(this);
    }

    @Override
    public Object entry(int index) {
        return index >= 0 && index < CAPACITY ? ENTRIES.getAcquire(entries, index) : null;
    }

    @Override
    public void push(Object lock) {
        int n = (int) COUNT.getOpaque(this); // only the owner writes count
        if (n < CAPACITY) {
            ENTRIES.setRelease(entries, n, lock);
        }
        COUNT.setRelease(this, n + 1);
    }

    @Override
    public void remove(Object lock) {
        int n = (int) COUNT.getOpaque(this);
        int recorded = Math.min(n, CAPACITY);
        int at = recorded - 1;
        while (at >= 0 && ENTRIES.getOpaque(entries, at) != lock) {
            at--;
        }
        if (at < 0) {
            if (n <= CAPACITY) {
                // The lock went unrecorded while the table was full and has since moved into a
                // hole left by an out-of-order release: the hole is its slot.
                at = recorded - 1;
                while (at >= 0 && ENTRIES.getOpaque(entries, at) != null) {
                    at--;
                }
                if (at < 0) {
                    throw new IllegalStateException("held-locks table does not hold " + lock);
                }
            } else { // unrecorded, past the capacity
                COUNT.setRelease(this, n - 1);
                return;
            }
        }
        // Entries past the capacity are unrecorded; after the shift the top recorded slot is
        // empty (a hole that matches no lock) until the depth drops back to the capacity.
        shiftDown(at, recorded);
        COUNT.setRelease(this, n - 1);
    }

    /** Moves entries above {@code at} one slot down and clears the old top. */
    private void shiftDown(int at, int recorded) {
        for (int i = at; i < recorded - 1; i++) {
            ENTRIES.setRelease(entries, i, ENTRIES.getOpaque(entries, i + 1));
        }
        ENTRIES.setRelease(entries, recorded - 1, null);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("HeldLocks[count=").append(count()).append(':');
        for (int i = 0; i < Math.min(count(), CAPACITY); i++) {
            sb.append(' ').append(entry(i));
        }
        return sb.append(']').toString();
    }
}
