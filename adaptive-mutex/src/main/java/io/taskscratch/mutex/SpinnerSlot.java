package io.taskscratch.mutex;

import io.taskscratch.platform.PlatformTask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * {@link AdaptiveMutex}'s spinner slot (the kernel's OSQ, reduced to one spinner), in an object of
 * its own so that claiming and clearing it never writes the cache line of the lock word, the
 * owner and the owner's region, which the owner uses throughout its critical section. The
 * padding (two cache lines of longs, declared in superclasses so the field layout keeps them on
 * both sides) keeps the slot off the lines of neighbouring objects as well. The spin counters of
 * {@link AdaptiveMutex#metrics()} live here too: only the task holding the slot writes them, so
 * they need no atomic update.
 */
final class SpinnerSlot extends SpinnerSlotField {
    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6, q7;

    /**
     * Counts one spin episode of {@code nanos}; called by the slot's holder only, before
     * {@link #release()}, so the slot serialises the plain read-modify-writes (opaque for readers).
     */
    void count(long nanos) {
        SPINS.setOpaque(this, (long) SPINS.getOpaque(this) + 1);
        SPIN_NANOS.setOpaque(this, (long) SPIN_NANOS.getOpaque(this) + nanos);
    }

    /** Spin episodes so far (a snapshot). */
    long spins() {
        return (long) SPINS.getOpaque(this);
    }

    /** Time spent spinning so far, in ns (a snapshot). */
    long spinNanos() {
        return (long) SPIN_NANOS.getOpaque(this);
    }

    /** Claims the empty slot for {@code me}; false if another task holds it. */
    boolean claim(PlatformTask me) {
        return SPINNER.compareAndSet(this, null, me);
    }

    /** Empties the slot (release store: the episode's writes happen-before the next claim). */
    void release() {
        SPINNER.setRelease(this, null);
    }
}

/** The padding before the slot; the int fills the gap after the object header. */
abstract class SpinnerSlotPad {
    @SuppressWarnings("unused")
    private int gap;
    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7;
}

/** The slot itself. */
abstract class SpinnerSlotField extends SpinnerSlotPad {
    static final VarHandle SPINNER;
    static final VarHandle SPINS;
    static final VarHandle SPIN_NANOS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SPINNER = l.findVarHandle(SpinnerSlotField.class, "spinner", PlatformTask.class);
            SPINS = l.findVarHandle(SpinnerSlotField.class, "spins", long.class);
            SPIN_NANOS = l.findVarHandle(SpinnerSlotField.class, "spinNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The task that spins on the owner, or null. Volatile: claimed by CAS, cleared with a release store. */
    volatile PlatformTask spinner;
    /**
     * The gap between reads of the lock word the last episode ended with, in pauses (at least 1):
     * the next episode starts from it. Plain: read and written by the slot's holder only, and the
     * claim CAS / release store order one holder's accesses before the next one's.
     */
    int gap = 1;
    /** Spin episodes; written by the slot's holder only (serialised by the slot), opaque for readers. */
    @SuppressWarnings("unused") // accessed through SPINS
    private long spins;
    /** Nanoseconds spent spinning; as {@link #spins}. */
    @SuppressWarnings("unused") // accessed through SPIN_NANOS
    private long spinNanos;
}
