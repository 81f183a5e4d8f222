package io.taskscratch.internal;

import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;

/**
 * The one place scratch-api decides how work is deferred by a grace period: unpinning a retired
 * map element and handing a freed region's slot out again. Region memory may be reached by
 * sleepable ({@link Flavor#TASKS_TRACE}) and non-sleepable ({@link Flavor#NORMAL}) programs
 * alike, so callbacks wait for both ({@link Rcu#callRcuChained}) in the owner's domain.
 */
public final class GracePeriods {
    private GracePeriods() {
    }

    /** Runs {@code callback} after a grace period of both flavors of {@code rcu}. */
    public static void defer(Rcu rcu, Runnable callback) {
        rcu.callRcuChained(callback);
    }

    /**
     * Checks that the caller is in a read-side section of either flavor of {@code rcu}, as a
     * program must be when it reaches map elements and the regions they point to. Allocates
     * nothing unless it throws.
     *
     * @throws IllegalStateException naming {@code operation} and {@code map} otherwise
     */
    public static void checkInReadSection(Rcu rcu, String operation, String map) {
        if (!rcu.inReadSection(Flavor.NORMAL) && !rcu.inReadSection(Flavor.TASKS_TRACE)) {
            throw new IllegalStateException(operation + " on map \"" + map + "\" from thread \""
                    + Thread.currentThread().getName() + "\" outside a read-side section of its rcu domain \""
                    + rcu.name() + "\": wrap program-side access in rcu.read(Flavor.NORMAL) (or TASKS_TRACE for"
                    + " sleepable programs)");
        }
    }
}
