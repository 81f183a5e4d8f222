package io.taskscratch.rcu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A pointer that writers replace and readers follow inside read-side sections: the kernel's
 * {@code rcu_assign_pointer} ({@link #publish}, {@link #replace}) and {@code rcu_dereference}
 * ({@link #get}). Initialise an object completely, then publish it; a reader that gets it sees
 * the initialised state. After {@link #replace}, retire the old object after a grace period
 * ({@link Rcu#callRcu}, {@link GraceTracker#retire}).
 *
 * @param <T> the type of the published object
 */
public final class RcuPointer<T> {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(RcuPointer.class, "value", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through VALUE
    private Object value;

    /** A pointer to {@code initial} (may be {@code null}). */
    public RcuPointer(T initial) {
        VALUE.setRelease(this, initial); // release: the pointer itself may be shared racily
    }

    /**
     * The current object, for use inside a read-side section (or by a writer that serialises
     * updates). Acquire: the object's initialisation happens-before the caller's reads of it.
     */
    @SuppressWarnings("unchecked")
    public T get() {
        return (T) VALUE.getAcquire(this);
    }

    /** Publishes {@code v}. Release: everything written to {@code v} before is visible to readers that get it. */
    public void publish(T v) {
        VALUE.setRelease(this, v);
    }

    /**
     * Publishes {@code v} and returns the object it replaced, to be retired after a grace period.
     * A volatile read-modify-write, so the replacing thread also sees what the publisher of the
     * old object did before publishing it (such as {@link GraceTracker#markSleepable()}).
     */
    @SuppressWarnings("unchecked")
    public T replace(T v) {
        return (T) VALUE.getAndSet(this, v);
    }

    /** Publishes {@code v} only if the pointer still holds {@code expected} (identity); volatile. */
    public boolean compareAndReplace(T expected, T v) {
        return VALUE.compareAndSet(this, expected, v);
    }
}
