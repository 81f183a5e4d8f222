package io.taskscratch.mutex;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;

/**
 * {@link HeldLocks} on the Java heap. The shared part is an array of {@link #CAPACITY}
 * references and a count; entries nested deeper go to a private overflow list that only the
 * owner reads, so the shared slots always hold exactly the bottom {@code min(count, CAPACITY)}
 * entries of the task's lock stack (an out-of-order release pulls the first overflow entry
 * down into the last slot).
 *
 * <p>Ordering: the owner stores an entry (release) before publishing a larger count (release),
 * and publishes a smaller count only after rewriting the slots, so a reader that loads the count
 * with acquire and then an entry sees an entry at least as new as that count.
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
    /** Entries past the capacity, bottom first; owner-only, allocated on first overflow. */
    private ArrayList<Object> overflow;
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
        } else {
            if (overflow == null) {
                overflow = new ArrayList<>();
            }
            overflow.add(lock);
        }
        COUNT.setRelease(this, n + 1);
    }

    @Override
    public void remove(Object lock) {
        int n = (int) COUNT.getOpaque(this);
        if (n > CAPACITY && overflow.lastIndexOf(lock) >= 0) {
            overflow.remove(overflow.lastIndexOf(lock));
            COUNT.setRelease(this, n - 1);
            return;
        }
        int recorded = Math.min(n, CAPACITY);
        int at = recorded - 1;
        while (at >= 0 && ENTRIES.getOpaque(entries, at) != lock) {
            at--;
        }
        if (at < 0) {
            throw new IllegalStateException("held-locks table does not hold " + lock);
        }
        for (int i = at; i < recorded - 1; i++) {
            ENTRIES.setRelease(entries, i, ENTRIES.getOpaque(entries, i + 1));
        }
        ENTRIES.setRelease(entries, recorded - 1, n > CAPACITY ? overflow.remove(0) : null);
        COUNT.setRelease(this, n - 1);
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
