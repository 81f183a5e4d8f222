package io.taskscratch.demo;

import io.taskscratch.mutex.OwnerState;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.sched.SimPlatform;
import io.taskscratch.sched.SimTask;

import java.util.Arrays;

/**
 * Grades the adaptive mutex's owner-state answers against the model's truth: an
 * {@link OwnerStateSource} that passes every call through to the real source unchanged and,
 * because the scheduler model knows where every task really is, counts the answers that were
 * wrong and what they cost. It never changes an answer and draws no random numbers, so a run with
 * the meter is the run without it.
 *
 * <p>What it counts (the mutex asks {@link #ownerState} once per spin iteration, then
 * {@link #shouldYield}, then pauses; see {@code AdaptiveMutex.spin}):
 * <ul>
 *   <li><b>false RUNNING</b>: the source said RUNNING while the owner was off its CPU (a lost
 *       switch-out write, or an rseq hint whose clear was dropped): the spinner goes on spinning
 *       for an owner that cannot release the lock.</li>
 *   <li><b>false NOT_RUNNING</b>: the source said NOT_RUNNING while the owner ran (a lost
 *       switch-in write): the spinner stops and parks although the lock would have been free in
 *       a moment.</li>
 *   <li><b>UNKNOWN</b> answers (no region, a freed region, or no source at all).</li>
 *   <li><b>false yield</b>: {@code shouldYield} said yes, but the spinner had really been on its
 *       CPU for less than the slice since its last switch-in (its region's {@code last_switch_ns}
 *       was stale): it stops spinning as if it were about to be preempted.</li>
 *   <li><b>off-CPU spin</b>: spin pauses taken while the owner the spinner last asked about was
 *       really off its CPU, in ns (pauses × the model's pause cost): CPU burnt for nothing, whatever
 *       the answer was (with no state, every spin on a preempted owner lands here).</li>
 *   <li><b>wrong parks</b>: parks that follow a spin ended by a wrong answer (a false NOT_RUNNING
 *       or a false yield): what the wrong answers cost in sleeps and wake-ups.</li>
 * </ul>
 *
 * <p>Only one simulated task runs at a time and the model hands control over with a volatile
 * flag, so plain fields are exact. Per-task state lives in arrays indexed by task id (no
 * allocation per call).
 */
final class TruthMeter implements OwnerStateSource {
    /**
     * The counts of one run (or pooled runs).
     *
     * @param answers         owner-state answers
     * @param falseRunning    RUNNING while the owner was off-CPU
     * @param falseNotRunning NOT_RUNNING while the owner was on a CPU
     * @param unknown         UNKNOWN answers
     * @param yieldAdvice     {@code shouldYield} answers that said yes
     * @param falseYields     of which the spinner's real time on CPU was below the slice
     * @param offCpuSpinNs    spin time on owners that were really off-CPU
     * @param wrongParks      parks after a spin that a wrong answer ended
     */
    record Stats(long answers, long falseRunning, long falseNotRunning, long unknown, long yieldAdvice, long falseYields,
                 long offCpuSpinNs, long wrongParks) {
        /** Nothing measured (locks without owner state). */
        static final Stats NONE = new Stats(0, 0, 0, 0, 0, 0, 0, 0);

        /** Field-wise sum. */
        Stats plus(Stats o) {
            return new Stats(answers + o.answers, falseRunning + o.falseRunning, falseNotRunning + o.falseNotRunning,
                    unknown + o.unknown, yieldAdvice + o.yieldAdvice, falseYields + o.falseYields, offCpuSpinNs + o.offCpuSpinNs, wrongParks + o.wrongParks);
        }

        /** Wrong answers of all three kinds (false RUNNING, false NOT_RUNNING, false yield). */
        long wrong() {
            return falseRunning + falseNotRunning + falseYields;
        }
    }

    private final OwnerStateSource source;
    private final SimPlatform sim;
    private final long sliceNs;
    private final long pauseNs;

    private long answers;
    private long falseRunning;
    private long falseNotRunning;
    private long unknown;
    private long yieldAdvice;
    private long falseYields;
    private long offCpuPauses;
    private long wrongParks;
    /** Per task id: the owner it last asked about (its spin's owner). */
    private SimTask[] askedAbout = new SimTask[0];
    /** Per task id: its last spin was ended by a wrong answer (a park may follow). */
    private boolean[] stopped = new boolean[0];

    /**
     * @param source  the real source, whose answers are passed through
     * @param sim     the model's platform (its clock and current task; only queries, no model calls)
     * @param sliceNs the slice the source's {@code shouldYield} uses (0: yield advice is never false)
     * @param pauseNs the model's cost of one spin pause
     */
    TruthMeter(OwnerStateSource source, SimPlatform sim, long sliceNs, long pauseNs) {
        this.source = source;
        this.sim = sim;
        this.sliceNs = sliceNs;
        this.pauseNs = pauseNs;
    }

    /** The counts so far. */
    Stats stats() {
        return new Stats(answers, falseRunning, falseNotRunning, unknown, yieldAdvice, falseYields, offCpuPauses * pauseNs, wrongParks);
    }

    @Override
    public OwnerState ownerState(PlatformTask owner) {
        OwnerState st = source.ownerState(owner);
        answers++;
        SimTask o = simTask(owner, "owner");
        boolean wrongStop = false;
        switch (st) {
            case RUNNING -> falseRunning += o.onCpu() ? 0 : 1;
            case NOT_RUNNING -> {
                wrongStop = o.onCpu();
                falseNotRunning += wrongStop ? 1 : 0;
            }
            case UNKNOWN -> unknown++;
        }
        int i = slot(sim.currentTask()); // the spinner asks from its own spin loop
        askedAbout[i] = o;
        stopped[i] = wrongStop;
        return st;
    }

    @Override
    public boolean shouldYield(PlatformTask self) {
        boolean yes = source.shouldYield(self);
        if (yes) {
            yieldAdvice++;
            SimTask me = simTask(self, "spinner");
            if (sliceNs > 0 && sim.now() - me.lastSwitchNs() < sliceNs) {
                falseYields++;
                stopped[slot(me)] = true;
            }
        }
        return yes;
    }

    /** The calling task is about to take a spin pause; counts it if its owner is really off-CPU. */
    void onSpinPause(SimTask self) {
        int i = slot(self);
        SimTask o = askedAbout[i];
        if (o != null && !o.onCpu()) {
            offCpuPauses++;
        }
    }

    /** The calling task is about to park; the first park after a wrong stop is a wrong park. */
    void onPark(SimTask self) {
        int i = slot(self);
        if (stopped[i]) {
            stopped[i] = false;
            wrongParks++;
        }
    }

    /** The calling task got the lock: its spin is over. */
    void onAcquired(SimTask self) {
        int i = slot(self);
        askedAbout[i] = null;
        stopped[i] = false;
    }

    private static SimTask simTask(PlatformTask t, String what) {
        if (t instanceof SimTask s) {
            return s;
        }
        throw new IllegalArgumentException(what + " " + t + ": the truth meter grades simulated tasks only");
    }

    private int slot(SimTask t) {
        int i = (int) t.id();
        if (i >= askedAbout.length) {
            int n = Math.max(i + 1, askedAbout.length * 2);
            askedAbout = Arrays.copyOf(askedAbout, n);
            stopped = Arrays.copyOf(stopped, n);
        }
        return i;
    }

    @Override
    public long enterRead() {
        return source.enterRead();
    }

    @Override
    public void exitRead(long token) {
        source.exitRead(token);
    }

    @Override
    public String name() {
        return source.name();
    }

    @Override
    public boolean informative() {
        return source.informative();
    }

    @Override
    public String toString() {
        return source.toString();
    }
}
