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
    /** The scheduler tick, CONFIG_HZ=250: where a tick-driven policy notices a slice used up. */
    long TICK_NS = 4_000_000L;

    /** The built-in policies' names, as listed in error messages. */
    String NAMES = RoundRobinPolicy.NAME + ", " + FairPolicy.NAME + ", " + EevdfPolicy.NAME;

    /** The name used in {@link SimConfig#policy()}. */
    String name();

    /** A fresh, empty run queue for one CPU. */
    RunQueue newRunQueue();

    /** How long {@code running} may run before the slice-end check, given its CPU's queue. */
    long timeSlice(RunQueue rq, SimTask running);

    /**
     * Virtual time of the slice-end check for {@code running}, armed at {@code now} (its switch-in, or a
     * slice end with nothing queued). Default: {@link #timeSlice} from now.
     */
    default long sliceEnd(RunQueue rq, SimTask running, long now) {
        return Simulation.saturatedAdd(now, timeSlice(rq, running));
    }

    /**
     * Virtual time of the slice-end check for {@code running} after a task arrived on its CPU without
     * preempting it (the earlier of this and the armed check fires). Default, CFS: the longer queue
     * shortens the slice, counted from the switch-in, because CFS recomputes the slice at every tick
     * ({@code check_preempt_tick}); a slice already used up that way ends at the next tick.
     */
    default long sliceEndOnArrival(RunQueue rq, SimTask running, long now) {
        long end = Simulation.saturatedAdd(running.lastSwitchNs, timeSlice(rq, running));
        return end > now ? end : Simulation.saturatedAdd((now / TICK_NS) * TICK_NS, TICK_NS);
    }

    /**
     * Whether the running task's CPU time is charged ({@link #account}) before another task is queued on its
     * CPU, as Linux's {@code enqueue_entity} does. Default false: the CFS-shaped placement reads the state of
     * the last update.
     */
    default boolean updatesCurrOnEnqueue() {
        return false;
    }

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
            case EevdfPolicy.NAME -> new EevdfPolicy(EevdfPolicy.scaledBaseSlice(EevdfPolicy.NORMALIZED_BASE_SLICE_NS, config.cpus()));
            default -> throw new ScratchException(Errno.EINVAL, "policy '" + config.policy() + "': must be one of " + NAMES);
        };
    }
}
