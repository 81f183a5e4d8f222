package io.taskscratch.sched;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;

/**
 * A scheduling class: how a CPU's run queue orders tasks, how long a task may run, and whether
 * a woken task preempts the running one. All tasks have the same priority (nice 0).
 *
 * <p>Implementations must be deterministic: no hash ordering, no host time, no unseeded
 * randomness.
 */
public interface SchedPolicy {
    /** The name used in {@link SimConfig#policy()}. */
    String name();

    /** A fresh, empty run queue for one CPU. */
    RunQueue newRunQueue();

    /** How long {@code running} may run before the slice-end check, given its CPU's queue. */
    long timeSlice(RunQueue rq, SimTask running);

    /** Charges {@code ranNs} of CPU time to {@code running} (the task is not in {@code rq}). */
    void account(RunQueue rq, SimTask running, long ranNs);

    /** Whether {@code woken}, just queued on {@code rq}, should preempt {@code running} now. */
    boolean wakeupPreempts(RunQueue rq, SimTask running, SimTask woken);

    /** Adjusts a task's policy state when it moves between CPUs (before it is enqueued on {@code to}). */
    void migrate(SimTask task, RunQueue from, RunQueue to);

    /**
     * The built-in policy called {@code name}.
     *
     * @throws ScratchException EINVAL naming {@code policy} when the name is unknown
     */
    static SchedPolicy forConfig(SimConfig config) {
        return switch (config.policy()) {
            case RoundRobinPolicy.NAME -> new RoundRobinPolicy(config.rrSliceNs());
            case FairPolicy.NAME -> new FairPolicy(config.latencyNs(), config.minGranularityNs(), config.wakeupGranularityNs());
            default -> throw new ScratchException(Errno.EINVAL,
                    "policy '" + config.policy() + "': must be one of " + RoundRobinPolicy.NAME + ", " + FairPolicy.NAME);
        };
    }
}
