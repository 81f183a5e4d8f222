package io.taskscratch.internal;

import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;

/**
 * The one place scratch-api defers work by a grace period: unpinning a retired map element and
 * handing a freed region's slot out again. Region memory may be reached by sleepable
 * ({@link Flavor#TASKS_TRACE}) and non-sleepable ({@link Flavor#NORMAL}) programs alike, so
 * callbacks wait for both ({@link Rcu#callRcuChained}) in the global domain.
 */
public final class GracePeriods {
    /**
     * Per thread: how many hook dispatches are running. A hook runs in its registry's domain,
     * which need not be the global one; the map's deferred unpin also waits for those
     * invocations (MapAccessBarrier), so they count as read-side sections here.
     */
    private static final ThreadLocal<int[]> HOOK_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private GracePeriods() {
    }

    /**
     * The calling thread's hook-dispatch counter (one element); the hook dispatcher fetches it
     * once per thread and increments it around each event, so marking costs no thread-local lookup.
     */
    public static int[] hookDepth() {
        return HOOK_DEPTH.get();
    }

    /** Runs {@code callback} after a grace period of both flavors. */
    public static void defer(Runnable callback) {
        Rcu.global().callRcuChained(callback);
    }

    /** Waits until every callback deferred before this call has run. */
    public static void barrier() {
        Rcu.global().rcuBarrier();
    }

    /**
     * Checks that the caller is in a read-side section of either flavor, as a program must be
     * when it reaches map elements and the regions they point to, or runs a hook (whose
     * registry's domain protects it). Allocates nothing unless it throws.
     *
     * @throws IllegalStateException naming {@code operation} and {@code map} otherwise
     */
    public static void checkInReadSection(String operation, String map) {
        Rcu rcu = Rcu.global();
        if (!rcu.inReadSection(Flavor.NORMAL) && !rcu.inReadSection(Flavor.TASKS_TRACE) && HOOK_DEPTH.get()[0] == 0) {
            throw new IllegalStateException(operation + " on map \"" + map + "\" from thread \""
                    + Thread.currentThread().getName() + "\" outside a read-side section: wrap program-side access in"
                    + " Rcu.global().read(Flavor.NORMAL) (or TASKS_TRACE for sleepable programs)");
        }
    }
}
