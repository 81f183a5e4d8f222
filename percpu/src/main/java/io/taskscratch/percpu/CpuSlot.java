package io.taskscratch.percpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Padding before {@link CpuSlot}'s fields: the JVM lays out superclass fields first. */
abstract class CpuSlotLeftPad {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** The fields of one CPU's free list. */
abstract class CpuSlotFields extends CpuSlotLeftPad {
    /** 0 free, 1 held: taken with a CAS (acquire), given back with a release store. */
    int lock;
    /** Objects in {@link #items}: plain under {@link #lock}; opaque reads by statistics. */
    int count;
    /** The stack, used from index {@link CpuSlot#ITEM_PAD}; guarded by {@link #lock}. */
    final Object[] items;

    CpuSlotFields(int capacity) {
        this.items = new Object[capacity + 2 * CpuSlot.ITEM_PAD];
    }
}

/**
 * One CPU's bounded free list in a {@link PerCpuPool}: a stack of objects behind a try-lock, with
 * 128 bytes of padding on both sides of its fields and in front of and behind its stack's used
 * part, so two CPUs' lists never share a cache line.
 */
final class CpuSlot extends CpuSlotFields {
    /** Unused array entries before and after the stack (32 references ≥ 128 bytes). */
    static final int ITEM_PAD = 32;
    private static final VarHandle LOCK;
    private static final VarHandle COUNT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LOCK = l.findVarHandle(CpuSlotFields.class, "lock", int.class);
            COUNT = l.findVarHandle(CpuSlotFields.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    CpuSlot(int capacity) {
        super(capacity);
    }

    /**
     * Takes the lock if it is free, without waiting: a busy slot means its holder was preempted or
     * another thread read the same CPU id, and the caller goes to the transfer cache instead.
     * Acquire: the holder sees the previous holder's stack writes.
     */
    boolean tryLock() {
        return (int) LOCK.getOpaque(this) == 0 && (int) LOCK.compareAndExchangeAcquire(this, 0, 1) == 0;
    }

    /** Release: the stack writes are visible to the next holder. */
    void unlock() {
        LOCK.setRelease(this, 0);
    }

    /** {@link #count} for statistics (opaque: a fresh value, no ordering needed). */
    int countOpaque() {
        return (int) COUNT.getOpaque(this);
    }
}
