package io.taskscratch.sched;

import java.util.function.Consumer;

/**
 * The queued (runnable, not running) tasks of one CPU, in the order its {@link SchedPolicy}
 * picks them. The running task is never in its CPU's queue.
 */
public interface RunQueue {
    /** Adds a runnable task; {@code reason} lets a fair policy place its virtual runtime. */
    void enqueue(SimTask task, EnqueueReason reason);

    /** Removes and returns the task to run next, or null when empty. */
    SimTask poll();

    /** Removes {@code task}; returns whether it was queued here. */
    boolean remove(SimTask task);

    /**
     * Removes and returns the task a load balancer should move away (the one least likely to
     * run soon), skipping tasks that ran within {@code hotNs} before {@code now} unless
     * {@code ignoreHot}; null when none qualifies.
     */
    SimTask pollMigratable(long now, long hotNs, boolean ignoreHot);

    /** Number of queued tasks. */
    int size();

    /** Visits the queued tasks in pick order (for invariant checks and reports). */
    void forEach(Consumer<SimTask> action);

    /**
     * The running task left its CPU without being queued again: it parked, or {@code exited}.
     * Called before the next task is picked.
     */
    default void left(SimTask task, boolean exited) {
    }

    /** A task taken from another CPU's queue runs here at once (newidle balance), without being queued here. */
    default void adopt(SimTask task) {
    }

    /** Whether a wake-up of the parked {@code task} must go to this, its own, CPU (it is still queued here). */
    default boolean keepsOnWake(SimTask task) {
        return false;
    }
}
