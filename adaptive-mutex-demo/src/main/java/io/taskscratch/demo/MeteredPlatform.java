package io.taskscratch.demo;

import io.taskscratch.platform.ForwardingPlatform;
import io.taskscratch.sched.SimPlatform;
import io.taskscratch.sched.SimTask;

import java.util.Arrays;

/**
 * The simulated platform as the compared locks see it, counting what they do with the CPU:
 * spin pauses and polls (CPU burnt spinning = pauses × the model's pause cost + polls × its poll
 * cost), yields and parks. With
 * marks on, it also reports each task's spin streaks and parks as timeline intervals
 * ({@code spin}, {@code park}). With a {@link TruthMeter} it tells the meter about every spin
 * pause and park, so the meter can grade them against the model's truth.
 *
 * <p>Only one simulated task runs at a time and the model hands control over with a volatile
 * flag, so plain counters are exact.
 */
final class MeteredPlatform extends ForwardingPlatform {
    private final SimPlatform sim;
    private final boolean marks;
    /** Grades the adaptive mutex's spins and parks; null for locks without owner state. */
    private final TruthMeter truth;
    private long spinPauses;
    private long spinLoads;
    private long yields;
    private long parks;
    /** Per task id: start of the current spin streak, or -1. */
    private long[] spinSince = new long[0];

    MeteredPlatform(SimPlatform sim, boolean marks, TruthMeter truth) {
        super(sim);
        this.sim = sim;
        this.marks = marks;
        this.truth = truth;
    }

    long spinPauses() {
        return spinPauses;
    }

    long spinLoads() {
        return spinLoads;
    }

    long yields() {
        return yields;
    }

    long parks() {
        return parks;
    }

    /** Ends the calling task's spin streak, reporting it as a "spin" interval when marking. */
    void endSpin() {
        if (!marks) {
            return;
        }
        SimTask t = sim.currentTask();
        int i = (int) t.id();
        if (i < spinSince.length && spinSince[i] >= 0) {
            long now = sim.now();
            if (now > spinSince[i]) {
                sim.mark("spin", spinSince[i], now);
            }
            spinSince[i] = -1;
        }
    }

    @Override
    public void park(Object blocker) {
        parks++;
        if (truth != null) {
            truth.onPark(sim.currentTask());
        }
        endSpin();
        long t0 = marks ? sim.now() : 0;
        sim.park(blocker);
        if (marks) {
            sim.mark("park", t0, sim.now());
        }
    }

    @Override
    public void parkNanos(Object blocker, long nanos) {
        parks++;
        if (truth != null) {
            truth.onPark(sim.currentTask());
        }
        endSpin();
        long t0 = marks ? sim.now() : 0;
        sim.parkNanos(blocker, nanos);
        if (marks) {
            sim.mark("park", t0, sim.now());
        }
    }

    @Override
    public void spinPause() {
        spinPauses++;
        if (truth != null) {
            truth.onSpinPause(sim.currentTask());
        }
        startSpin();
        sim.spinPause();
    }

    @Override
    public void spinLoads(int loads) {
        spinLoads += loads;
        startSpin();
        sim.spinLoads(loads);
    }

    /** Starts the calling task's spin streak when marking and none is open. */
    private void startSpin() {
        if (!marks) {
            return;
        }
        int i = (int) sim.currentTask().id();
        if (i >= spinSince.length) {
            int old = spinSince.length;
            spinSince = Arrays.copyOf(spinSince, Math.max(i + 1, old * 2));
            Arrays.fill(spinSince, old, spinSince.length, -1);
        }
        if (spinSince[i] < 0) {
            spinSince[i] = sim.now();
        }
    }

    @Override
    public void yieldCpu() {
        yields++;
        sim.yieldCpu();
    }
}
