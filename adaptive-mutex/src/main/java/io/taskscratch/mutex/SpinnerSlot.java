package io.taskscratch.mutex;

import io.taskscratch.platform.PlatformTask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * {@link AdaptiveMutex}'s spinner slot (the kernel's OSQ, reduced to one spinner), in an object of
 * its own so that claiming and clearing it never writes the cache line of the lock word, the
 * owner and the owner's region, which the owner uses throughout its critical section. The
 * padding (two cache lines of longs, declared in superclasses so the field layout keeps them on
 * both sides) keeps the slot off the lines of neighbouring objects as well.
 */
final class SpinnerSlot extends SpinnerSlotField {
    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6, q7;

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

    static {
        try {
            SPINNER = MethodHandles.lookup().findVarHandle(SpinnerSlotField.class, "spinner", PlatformTask.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The task that spins on the owner, or null. */
    volatile PlatformTask spinner;
}
