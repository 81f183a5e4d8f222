package io.taskscratch.mutex;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * {@link HeldLocks} on the Java heap: a {@code long[]} of {@link #CAPACITY} lock ids and an int
 * count, written with release stores and read with acquire loads (the protocol is described in
 * {@link AbstractHeldLocks}). The fallback for tasks that have no scratch region
 * ({@link HeldLocks.Provider#perThread()}); {@link RegionHeldLocks} is the same table in the
 * task's region.
 */
public final class HeapHeldLocks extends AbstractHeldLocks {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(HeapHeldLocks.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] slots = new long[CAPACITY];
    @SuppressWarnings("unused") // accessed through COUNT
    private int count;

    /** An empty table. */
    public HeapHeldLocks() {
    }

    @Override
    int loadCount() {
        return (int) COUNT.getAcquire(this);
    }

    @Override
    int ownCount() {
        return (int) COUNT.getOpaque(this);
    }

    @Override
    void storeCount(int n) {
        COUNT.setRelease(this, n);
    }

    @Override
    long loadSlot(int i) {
        return (long) SLOTS.getAcquire(slots, i);
    }

    @Override
    long ownSlot(int i) {
        return (long) SLOTS.getOpaque(slots, i);
    }

    @Override
    void storeSlot(int i, long lock) {
        SLOTS.setRelease(slots, i, lock);
    }
}
