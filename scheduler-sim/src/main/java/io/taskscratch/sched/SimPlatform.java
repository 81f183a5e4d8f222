package io.taskscratch.sched;

import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;

import java.util.SplittableRandom;

/**
 * The {@link Platform} of a {@link Simulation}: the only way a simulated task's code talks to
 * the model. Every method must be called from a task body of this simulation (anything else is
 * refused with {@code EPERM}).
 *
 * <p>Preemption points: {@link #work}, {@link #spinPause}, {@link #spinLoads}, {@link #lineAccess} (when it
 * transfers the line), {@link #park}, {@link #parkNanos},
 * {@link #unpark}, {@link #yieldCpu}, {@link #nanoTime} (when clock reads cost something),
 * {@link #fork} and {@link #interrupt} hand control to the
 * model, which may run other tasks (and switch this one out) before the call returns. The
 * queries {@link #now}, {@link #currentTask}, {@link #interrupted}, {@link #isInterrupted},
 * {@link #random} and {@link #mark} do not.
 */
public final class SimPlatform implements Platform {
    private final Simulation sim;

    SimPlatform(Simulation sim) {
        this.sim = sim;
    }

    /** The simulation this platform belongs to. */
    public Simulation simulation() {
        return sim;
    }

    /** The calling task, a {@link SimTask}. */
    @Override
    public SimTask currentTask() {
        return sim.current();
    }

    /**
     * Consumes {@code ns} of CPU time; the task may be preempted part-way (slice end, wakeup
     * preemption) and finishes the rest when it runs again.
     *
     * @param ns virtual nanoseconds, &ge; 0
     */
    public void work(long ns) {
        sim.work(ns);
    }

    /** Costs {@link SimConfig#spinPauseNs()} of CPU time. */
    @Override
    public void spinPause() {
        sim.spinPause();
    }

    /**
     * Costs {@code loads} × {@link CostProfile#spinLoadPs()} of CPU time (rounded to the nearest
     * ns): the polls a spin loop made of a shared word since its last call.
     *
     * @param loads polls, &ge; 0
     */
    @Override
    public void spinLoads(int loads) {
        sim.spinLoads(loads);
    }

    /**
     * An access to a shared line the caller makes when this returns: costs
     * {@link CostProfile#lineTransferNs()} of CPU time when the line must first come from another
     * CPU (then a preemption point), nothing when this CPU has it (then a query).
     *
     * @param line  identifies the line
     * @param write whether the access writes it
     */
    @Override
    public void lineAccess(Object line, boolean write) {
        sim.lineAccess(line, write);
    }

    /** Parks until unparked or interrupted; returns at once if a permit is available. */
    @Override
    public void park(Object blocker) {
        sim.park(false, 0);
    }

    /** Same as {@link #park(Object)}. */
    public void park() {
        sim.park(false, 0);
    }

    /** Parks for at most {@code nanos} of virtual time. */
    @Override
    public void parkNanos(Object blocker, long nanos) {
        sim.park(true, nanos);
    }

    /**
     * Same as {@link #parkNanos(Object, long)}.
     *
     * @param nanos virtual nanoseconds
     */
    public void parkNanos(long nanos) {
        sim.park(true, nanos);
    }

    /** Wakes {@code task} if parked, else gives it a permit (one, not counted). */
    @Override
    public void unpark(PlatformTask task) {
        sim.unpark(task);
    }

    /** Switches to another task queued on this CPU, if any. */
    @Override
    public void yieldCpu() {
        sim.yieldCpu();
    }

    /**
     * A clock read: costs {@link CostProfile#clockReadNs()} of CPU time (a preemption point when
     * that is not 0) and returns the virtual time at which the read completes. Measuring code that
     * must not change the run reads {@link #now()} instead.
     */
    @Override
    public long nanoTime() {
        return sim.clockRead();
    }

    /** Virtual time in nanoseconds, free: a query, not a preemption point (for measurements). */
    public long now() {
        return sim.virtualNow();
    }

    @Override
    public boolean interrupted() {
        return sim.interrupted(true);
    }

    @Override
    public boolean isInterrupted() {
        return sim.interrupted(false);
    }

    /**
     * Sets {@code task}'s interrupt status and wakes it if parked.
     *
     * @param task a task of this simulation
     */
    @Override
    public void interrupt(PlatformTask task) {
        sim.interrupt(task);
    }

    /**
     * Creates and starts a task (a fork); it is placed on the least loaded CPU.
     *
     * @param name unique name
     * @param body its code
     * @return the child
     */
    public SimTask fork(String name, TaskBody body) {
        return sim.fork(name, body, false);
    }

    /**
     * Like {@link #fork} for a background task the run does not wait for.
     *
     * @param name unique name
     * @param body its code
     * @return the child
     */
    public SimTask forkDaemon(String name, TaskBody body) {
        return sim.fork(name, body, true);
    }

    /**
     * Reports an interval of the calling task (e.g. "hold", "spin", "park") to the listeners;
     * the trace keeps it and the timeline draws it.
     *
     * @param label   what the interval was
     * @param startNs virtual start
     * @param endNs   virtual end, at most now
     */
    public void mark(String label, long startNs, long endNs) {
        sim.mark(label, startNs, endNs);
    }

    /** The calling task's seeded random stream. */
    public SplittableRandom random() {
        return sim.current().random;
    }

    @Override
    public String toString() {
        return "SimPlatform(" + sim.config().cpus() + " cpus, " + sim.policy().name() + ")";
    }
}
