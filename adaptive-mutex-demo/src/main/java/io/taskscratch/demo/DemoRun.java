package io.taskscratch.demo;

import io.taskscratch.demo.locks.ComparedLock;
import io.taskscratch.demo.locks.LockFactory;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.mutex.RegionOwnerStateSource;
import io.taskscratch.mutex.SpinTuning;
import io.taskscratch.sched.CostProfile;
import io.taskscratch.sched.SchedScratch;
import io.taskscratch.sched.SimConfig;
import io.taskscratch.sched.SimPlatform;
import io.taskscratch.sched.SimResult;
import io.taskscratch.sched.SimTask;
import io.taskscratch.sched.Simulation;
import io.taskscratch.sched.trace.TraceRecorder;
import io.taskscratch.sched.workload.Workloads;
import io.taskscratch.writer.WriterStats;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;

/**
 * Runs one {@link RunSpec} in the scheduler model and measures it.
 *
 * <p>Implementation overview. One fresh {@link Simulation} per seed ({@code seed},
 * {@code seed + 1}, ... — the same seeds for every lock of a scenario); the measurements of all
 * seeds are pooled (acquisitions and virtual time summed, latency histograms merged, fairness
 * over every task of every seed). Locks with region state get a {@link SchedScratch} (bridge,
 * map, hook, writer) and a {@link RegionOwnerStateSource} over it; pinned state also gets the
 * region-agreement invariant, checked when the spec asks for invariants. Each contending task
 * registers its region first, then loops: note the time, {@code lock()}, record the wait,
 * work the critical section, {@code unlock()}, think. The lock runs on a
 * {@link MeteredPlatform} that counts spin pauses, yields and parks; the adaptive mutex's state
 * source is wrapped in a {@link TruthMeter} that grades its answers against the model (it only
 * observes, so graded and ungraded runs are identical). Everything is virtual time,
 * so the result depends only on the spec. Hogs are daemons that work forever; each simulation
 * stops at the virtual time limit.
 */
final class DemoRun {
    /** A wait longer than this is a starvation event (docs/design.md §12). */
    static final long STARVATION_NS = 1_000_000L;
    /** CPU-hog work per model call. */
    private static final long HOG_CHUNK_NS = 1_000_000L;
    /**
     * What an iteration with no critical section and no think time still costs (the lock and
     * unlock instructions): without it such a loop would never advance virtual time.
     */
    static final long EMPTY_ITERATION_NS = 20L;
    /**
     * Host time without model progress before a run is reported as stalled: the demo runs only
     * its own, model-driven code, so a generous bound keeps a busy host (GC, other builds) from
     * aborting a healthy run.
     */
    private static final long WATCHDOG_MS = 30_000L;
    private static final long PS_PER_NS = 1_000L;

    /** Measurements pooled over the seeds of one spec. */
    private static final class Pool {
        final Histogram waits = new Histogram(3);
        final long[] acquisitions;
        long starved;
        long virtualNs;
        long switches;
        long preemptions;
        long workerCpuNs;
        long spinNs;
        long yields;
        long parks;
        long handoffs;
        long writerAttempts;
        long writerFailed;
        TruthMeter.Stats truth = TruthMeter.Stats.NONE;
        boolean graded;
        String lockName;

        Pool(RunSpec spec) {
            acquisitions = new long[spec.threads() * spec.seeds()];
        }
    }

    private DemoRun() {
    }

    /**
     * Runs the spec over its seeds, the adaptive mutex with {@link #modelTuning} of the spec's costs.
     *
     * @param spec        the run
     * @param recorderOut if not null, the first seed's run is traced with hold/spin/park marks and
     *                    its recorder stored at index 0
     * @return the pooled measurements
     */
    static RunResult run(RunSpec spec, TraceRecorder[] recorderOut) {
        SpinTuning tuning = modelTuning(spec.costs());
        Pool pool = new Pool(spec);
        for (int k = 0; k < spec.seeds(); k++) {
            runSeed(spec, k, k == 0 ? recorderOut : null, pool, tuning);
        }
        return measure(spec, pool);
    }

    /**
     * The adaptive mutex's tuning in the model: the policy real threads get
     * ({@link SpinTuning#NATIVE}, {@link SpinTuning#measured()}), derived from the wake-up cost the
     * same measurement gives in the model (a parked task woken onto an idle CPU while its waker keeps
     * running: the idle wake-up latency plus the switch-in), so model and real threads run one policy.
     */
    static SpinTuning modelTuning(CostProfile costs) {
        return SpinTuning.forWakeupCost(Math.max(1, costs.wakeupIdleNs() + costs.contextSwitchNs()));
    }

    private static void runSeed(RunSpec spec, int k, TraceRecorder[] recorderOut, Pool pool, SpinTuning tuning) {
        boolean marks = recorderOut != null;
        long seed = spec.seed() + k;
        SimConfig config = SimConfig.builder().cpus(spec.cpus()).policy(spec.policy()).seed(seed).costs(spec.costs())
                .checkInvariants(spec.checkInvariants()).watchdogMillis(WATCHDOG_MS).build();
        Simulation sim = new Simulation(config);
        if (marks) {
            recorderOut[0] = TraceRecorder.attach(sim);
        }
        LockChoice choice = spec.lock();
        SchedScratch scratch = scratchFor(sim, choice, spec.memoryPressure(), seed);
        OwnerStateSource source = OwnerStateSource.none();
        long slice = 0;
        if (scratch != null) {
            SimPlatform p = sim.platform();
            slice = spec.policy().equals("rr") ? config.rrSliceNs() : config.minGranularityNs();
            source = new RegionOwnerStateSource(choice.sourceName(), scratch.rcu(), SchedScratch::regionOf, p::nanoTime, slice);
            if (choice.state() == LockChoice.State.PINNED) {
                sim.addInvariant(scratch.agreement());
            }
        }
        TruthMeter truth = choice.adaptive() ? new TruthMeter(source, sim.platform(), slice, config.spinPauseNs()) : null;
        MeteredPlatform metered = new MeteredPlatform(sim.platform(), marks, truth);
        ComparedLock lock = LockFactory.create(choice.kind(), metered, truth != null ? truth : source, tuning);
        Lock l = lock.asLock();
        int offset = k * spec.threads();
        List<SimTask> workers = new ArrayList<>();
        for (int i = 0; i < spec.threads(); i++) {
            int me = offset + i;
            workers.add(sim.spawnDaemon("w" + i, p -> {
                if (scratch != null) {
                    scratch.register(p);
                }
                while (true) {
                    long t0 = p.now();
                    l.lock();
                    long t1 = p.now();
                    metered.endSpin();
                    if (truth != null) {
                        truth.onAcquired(p.currentTask());
                    }
                    long wait = t1 - t0;
                    pool.waits.recordValue(wait);
                    pool.acquisitions[me]++;
                    if (wait > STARVATION_NS) {
                        pool.starved++;
                    }
                    long cs = spec.cs().sample(p.random());
                    if (cs > 0) {
                        p.work(cs);
                    }
                    l.unlock();
                    if (marks) {
                        p.mark("hold", t1, p.now());
                    }
                    long think = spec.think().sampleSpread(p.random());
                    if (think > 0) {
                        p.work(think);
                    } else if (cs == 0) {
                        p.work(EMPTY_ITERATION_NS);
                    }
                }
            }));
        }
        Workloads.addHogs(sim, spec.hogs(), HOG_CHUNK_NS);
        SimResult r;
        try {
            r = sim.run(spec.durationNs());
            if (scratch != null) {
                scratch.bridge().checkNoFailures();
                WriterStats ws = scratch.writerStats();
                pool.writerAttempts += ws.attempts();
                pool.writerFailed += ws.failed();
            }
        } finally {
            if (scratch != null) {
                scratch.close();
            }
        }
        pool.virtualNs += r.virtualTimeNs();
        for (SimTask t : workers) {
            pool.workerCpuNs += t.runtimeNs();
            pool.switches += t.voluntarySwitches() + t.preemptions();
            pool.preemptions += t.preemptions();
        }
        pool.spinNs += metered.spinPauses() * config.spinPauseNs() + metered.spinLoads() * config.costs().spinLoadPs() / PS_PER_NS;
        pool.yields += metered.yields();
        pool.parks += metered.parks();
        pool.handoffs += Math.max(0, lock.metrics().handoffs());
        pool.lockName = lock.name();
        if (truth != null) {
            pool.truth = pool.truth.plus(truth.stats());
            pool.graded = true;
        }
    }

    private static SchedScratch scratchFor(Simulation sim, LockChoice c, double memoryPressure, long seed) {
        return switch (c.state()) {
            case NONE -> null;
            case PINNED -> SchedScratch.attach(sim, SchedScratch.Options.pinned(seed));
            case LOSSY -> SchedScratch.attach(sim, SchedScratch.Options.lossy(c.dropRate(), memoryPressure, seed));
            case RSEQ -> SchedScratch.attach(sim, SchedScratch.Options.rseq(c.dropRate(), seed));
            case KERNEL -> throw new IllegalArgumentException("lock " + c.id() + ": real kernel state, run it with --backend kernel");
        };
    }

    private static RunResult measure(RunSpec spec, Pool pool) {
        long total = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        double sumSq = 0;
        for (long a : pool.acquisitions) {
            total += a;
            min = Math.min(min, a);
            max = Math.max(max, a);
            sumSq += (double) a * a;
        }
        double perAcq = Math.max(total, 1);
        Histogram w = pool.waits;
        return new RunResult(spec, pool.lockName, total, total / (pool.virtualNs / 1e9),
                w.getValueAtPercentile(50), w.getValueAtPercentile(99), w.getValueAtPercentile(99.9), w.getMaxValue(),
                pool.spinNs / perAcq, pool.yields / perAcq, pool.switches, pool.preemptions, pool.workerCpuNs / (double) pool.virtualNs,
                pool.parks, pool.handoffs,
                max == 0 ? 0 : min / (double) max,
                sumSq == 0 ? 0 : (double) total * total / (pool.acquisitions.length * sumSq),
                pool.starved, pool.writerAttempts, pool.writerFailed, pool.graded ? pool.truth : null);
    }
}
