package io.taskscratch.demo;

import io.taskscratch.mutex.ComparedLock;
import io.taskscratch.mutex.LockFactory;
import io.taskscratch.mutex.LockMetrics;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.mutex.RegionOwnerStateSource;
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
 * <p>Implementation overview. A fresh {@link Simulation} per run (same seed for every lock of a
 * scenario). Locks with region state get a {@link SchedScratch} (bridge, map, hook, writer) and a
 * {@link RegionOwnerStateSource} over it; each contending task registers its region first, then
 * loops: note the time, {@code lock()}, record the wait in an HdrHistogram, work the critical
 * section, {@code unlock()}, think. The lock runs on a {@link MeteredPlatform} that counts spin
 * pauses, yields and parks. Everything is virtual time, so the result depends only on the spec.
 * Hogs are daemons that work forever; the run stops at the virtual time limit.
 */
final class DemoRun {
    /** A wait longer than this is a starvation event (DESIGN.md §12). */
    static final long STARVATION_NS = 1_000_000L;
    /** CPU-hog work per model call. */
    private static final long HOG_CHUNK_NS = 1_000_000L;

    private DemoRun() {
    }

    /**
     * Runs the spec.
     *
     * @param spec         the run
     * @param withTimeline attach a trace recorder and mark hold/spin/park intervals
     * @param recorderOut  receives the recorder when {@code withTimeline}
     * @return the measurements
     */
    static RunResult run(RunSpec spec, boolean withTimeline, TraceRecorder[] recorderOut) {
        SimConfig config = SimConfig.builder().cpus(spec.cpus()).policy(spec.policy()).seed(spec.seed())
                .checkInvariants(spec.checkInvariants()).build();
        Simulation sim = new Simulation(config);
        if (withTimeline) {
            recorderOut[0] = TraceRecorder.attach(sim);
        }
        LockChoice choice = spec.lock();
        SchedScratch scratch = scratchFor(sim, spec);
        OwnerStateSource source = OwnerStateSource.none();
        if (scratch != null) {
            SimPlatform p = sim.platform();
            long slice = spec.policy().equals("rr") ? config.rrSliceNs() : config.minGranularityNs();
            source = new RegionOwnerStateSource(choice.sourceName(), scratch.rcu(), SchedScratch::regionOf, p::nanoTime, slice);
            if (choice.state() == LockChoice.State.PINNED) {
                sim.addInvariant(scratch.agreement());
            }
        }
        MeteredPlatform metered = new MeteredPlatform(sim.platform(), withTimeline);
        ComparedLock lock = LockFactory.create(choice.kind(), metered, source);
        Lock l = lock.asLock();
        Histogram waits = new Histogram(3);
        long[] acquisitions = new long[spec.threads()];
        long[] starved = new long[1];
        List<SimTask> workers = new ArrayList<>();
        for (int i = 0; i < spec.threads(); i++) {
            int me = i;
            workers.add(sim.spawnDaemon("w" + i, p -> {
                if (scratch != null) {
                    scratch.register(p);
                }
                while (true) {
                    long t0 = p.now();
                    l.lock();
                    long t1 = p.now();
                    metered.endSpin();
                    long wait = t1 - t0;
                    waits.recordValue(wait);
                    acquisitions[me]++;
                    if (wait > STARVATION_NS) {
                        starved[0]++;
                    }
                    long cs = spec.cs().sample(p.random());
                    if (cs > 0) {
                        p.work(cs);
                    }
                    l.unlock();
                    if (withTimeline) {
                        p.mark("hold", t1, p.now());
                    }
                    long think = spec.think().sampleSpread(p.random());
                    if (think > 0) {
                        p.work(think);
                    }
                }
            }));
        }
        Workloads.addHogs(sim, spec.hogs(), HOG_CHUNK_NS);
        SimResult r;
        try {
            r = sim.run(spec.durationNs());
        } finally {
            if (scratch != null) {
                scratch.bridge().checkNoFailures();
            }
        }
        WriterStats ws = scratch == null ? new WriterStats(0, 0, 0, 0) : scratch.writerStats();
        if (scratch != null) {
            scratch.close();
        }
        return measure(spec, lock, r, waits, acquisitions, starved[0], workers, metered, ws, config.spinPauseNs());
    }

    private static SchedScratch scratchFor(Simulation sim, RunSpec spec) {
        LockChoice c = spec.lock();
        return switch (c.state()) {
            case NONE -> null;
            case PINNED -> SchedScratch.attach(sim, SchedScratch.Options.pinned(spec.seed()));
            case LOSSY -> SchedScratch.attach(sim, SchedScratch.Options.lossy(c.dropRate(), spec.memoryPressure(), spec.seed()));
            case RSEQ -> SchedScratch.attach(sim, SchedScratch.Options.rseq(c.dropRate(), spec.seed()));
        };
    }

    private static RunResult measure(RunSpec spec, ComparedLock lock, SimResult r, Histogram waits, long[] acq, long starved,
                                     List<SimTask> workers, MeteredPlatform metered, WriterStats ws, long pauseNs) {
        long total = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        double sumSq = 0;
        for (long a : acq) {
            total += a;
            min = Math.min(min, a);
            max = Math.max(max, a);
            sumSq += (double) a * a;
        }
        long switches = 0;
        long preemptions = 0;
        for (SimTask t : workers) {
            switches += t.voluntarySwitches() + t.preemptions();
            preemptions += t.preemptions();
        }
        double perAcq = Math.max(total, 1);
        LockMetrics m = lock.metrics();
        double seconds = r.virtualTimeNs() / 1e9;
        return new RunResult(spec, lock.name(), total, total / seconds,
                waits.getValueAtPercentile(50), waits.getValueAtPercentile(99), waits.getValueAtPercentile(99.9),
                waits.getMaxValue(), metered.spinPauses() * pauseNs / perAcq, metered.yields() / perAcq,
                switches, preemptions, metered.parks(), Math.max(0, m.handoffs()),
                max == 0 ? 0 : min / (double) max, sumSq == 0 ? 0 : (double) total * total / (acq.length * sumSq),
                starved, ws.attempts(), ws.failed());
    }
}
