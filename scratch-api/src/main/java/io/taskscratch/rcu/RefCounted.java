package io.taskscratch.rcu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * An object with a reference count whose last {@link #release()} frees it after a grace period.
 *
 * <p>The rules are those of the uprobe lifetime rework (Linux 6.12): {@link #tryAcquire()}
 * increments only a count that is not zero, so a dying object is never resurrected; the one
 * {@link #release()} that takes the count from one to zero is the single destroyer; it
 * unlinks the object from its {@link RefRegistry} (if any) and hands {@link #free()} to the
 * object's {@link GraceTracker}, so a reader that found the object without a reference inside
 * a read section can still touch it until that section ends.
 *
 * <p>A new object holds one reference, its creator's.
 */
public abstract class RefCounted {
    private static final VarHandle REFS;

    static {
        try {
            REFS = MethodHandles.lookup().findVarHandle(RefCounted.class, "refs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final GraceTracker lifetime;
    /** Accessed through REFS; 0 means dying: no new references, free pending or done. */
    @SuppressWarnings("unused") private int refs = 1;
    /** The registry and key this object is linked under; set before it is published there. */
    private RefRegistry<?, ?> registry;
    private Object key;

    /** An object with one reference, freed through {@code lifetime}'s grace periods. */
    protected RefCounted(GraceTracker lifetime) {
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
    }

    /** The tracker that decides the grace period of this object's free. */
    public final GraceTracker lifetime() {
        return lifetime;
    }

    /**
     * Takes a reference unless the object is dying (count zero): increment-if-not-zero.
     *
     * @return whether a reference was taken
     */
    public final boolean tryAcquire() {
        int r = (int) REFS.getVolatile(this);
        while (r != 0) {
            if (r == Integer.MAX_VALUE) {
                throw new IllegalStateException("reference count of " + this + " would overflow");
            }
            // volatile CAS: a full barrier either way, no weaker mode is cheaper on a locked cmpxchg
            int witness = (int) REFS.compareAndExchange(this, r, r + 1);
            if (witness == r) {
                return true;
            }
            r = witness;
        }
        return false;
    }

    /**
     * Takes a reference the caller knows to be possible because it already holds one.
     *
     * @throws IllegalStateException when the object is dying
     */
    public final void acquire() {
        if (!tryAcquire()) {
            throw new IllegalStateException("acquire() on " + this + " whose last reference is gone");
        }
    }

    /**
     * Drops one reference. The call that drops the last one is the only destroyer: it unlinks the
     * object from its registry and schedules {@link #free()} after a grace period.
     *
     * @return {@code true} for that destroying call
     * @throws IllegalStateException when no reference is held (the count is already zero)
     */
    public final boolean release() {
        if (!dropReference()) {
            return false;
        }
        destroy();
        return true;
    }

    /** The count drop of {@link #release()}; true when it took the count to zero. */
    final boolean dropReference() {
        int r = (int) REFS.getVolatile(this);
        while (true) {
            if (r <= 0) {
                throw new IllegalStateException("release() on " + this + " without a reference");
            }
            // volatile CAS: release orders our uses before the count drop; acquire gives the
            // destroyer everyone else's uses before it frees
            int witness = (int) REFS.compareAndExchange(this, r, r - 1);
            if (witness == r) {
                return r == 1;
            }
            r = witness;
        }
    }

    /** The destroyer's part of {@link #release()}: unlink, then free after a grace period. */
    final void destroy() {
        if (registry != null) {
            registry.unlink(key, this);
        }
        lifetime.retire(this::free);
    }

    /** The current count (0 when dying); a snapshot for diagnostics and tests. */
    public final int refCount() {
        return (int) REFS.getVolatile(this);
    }

    /** Whether the last reference is gone: the object can no longer be acquired. */
    public final boolean isDying() {
        return refCount() == 0;
    }

    /**
     * Releases the object's resources. Called exactly once, on a callback thread, after the
     * grace period that followed the last {@link #release()}.
     */
    protected abstract void free();

    void linkTo(RefRegistry<?, ?> owner, Object k) {
        if (registry != null) {
            throw new IllegalStateException(this + " is already in a registry");
        }
        registry = owner;
        key = k;
    }
}
