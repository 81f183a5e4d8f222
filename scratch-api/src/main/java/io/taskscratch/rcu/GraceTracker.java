package io.taskscratch.rcu;

import java.util.Objects;

/**
 * Decides how long freeing must wait for objects that readers of either flavor may hold: the
 * one-way "has held a sleepable reader" flag of the 2022 sleepable-uprobe discussion.
 *
 * <p>Until {@link #markSleepable()} is called, the tracked objects are reachable only from
 * {@link Flavor#NORMAL} sections and {@link #retire} waits for a normal grace period alone, so
 * a stuck {@link Flavor#TASKS_TRACE} reader never delays them. After it, {@link #retire} chains
 * a tasks-trace and a normal grace period ({@link Rcu#callRcuChained}). The flag never goes
 * back: an object that a sleepable reader may once have seen always pays for the chain, so
 * there is exactly one free path and it cannot be chosen wrongly.
 *
 * <p>Ordering: call {@link #markSleepable()} before the object becomes reachable from a
 * sleepable reader, and unpublish objects with an atomic read-modify-write (or under the lock
 * that published them) before retiring them, so the retiring thread sees the flag.
 */
public final class GraceTracker {
    private final Rcu rcu;
    /** One-way; volatile so a retiring thread that saw the publication sees it. */
    private volatile boolean sleepable;

    /** A tracker whose grace periods come from {@code rcu}. */
    public GraceTracker(Rcu rcu) {
        this.rcu = Objects.requireNonNull(rcu, "rcu");
    }

    /** The domain whose grace periods this tracker waits for. */
    public Rcu rcu() {
        return rcu;
    }

    /** Records that a sleepable reader may see the tracked objects from now on. Irreversible. */
    public void markSleepable() {
        if (!sleepable) {
            sleepable = true;
        }
    }

    /** Whether {@link #markSleepable()} has been called. */
    public boolean hasSleepable() {
        return sleepable;
    }

    /**
     * Runs {@code free} off the caller's thread once no reader that could hold the object is
     * left: after a normal grace period, or after both when {@link #hasSleepable()}.
     */
    public void retire(Runnable free) {
        if (sleepable) {
            rcu.callRcuChained(free);
        } else {
            rcu.callRcu(Flavor.NORMAL, free);
        }
    }

    /** Waits like {@link #retire} would, on the calling thread. */
    public void synchronize() {
        if (sleepable) {
            rcu.synchronize(Flavor.TASKS_TRACE);
        }
        rcu.synchronize(Flavor.NORMAL);
    }
}
