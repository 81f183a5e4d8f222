package io.taskscratch.bench;

import io.taskscratch.sched.SimConfig;
import io.taskscratch.sched.SimResult;
import io.taskscratch.sched.Simulation;
import io.taskscratch.sched.ThreadKind;
import io.taskscratch.sched.workload.SpinParkLock;
import io.taskscratch.sched.workload.Workloads;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Issue #4's speed goal: 8 tasks on 2 CPUs contending on one lock for 100 ms of virtual time
 * must take at most 5 s of host time. Single shot: one whole simulation per measurement.
 * Critical section 1 µs, non-critical work 0–2 µs; {@code spins} 0 parks at once (a hand-off per
 * contended acquire), 100 spins about 2 µs first (many cheap model calls).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class SimContentionBench {
    /** Java threads that carry the task bodies. */
    @Param({"VIRTUAL", "PLATFORM"})
    public ThreadKind threads;

    /** Scheduling policy. */
    @Param({"fair", "eevdf", "rr"})
    public String policy;

    /** Spin rounds before parking. */
    @Param({"0", "100"})
    public int spins;

    /** One 100 ms (virtual) run. */
    @Benchmark
    public SimResult eightTasksTwoCpus100ms() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).policy(policy).rrSliceNs(1_000_000)
                .threads(threads).seed(1).build());
        SpinParkLock lock = new SpinParkLock(sim.platform(), spins);
        Workloads.lockContention(sim, lock, 8, 1_000, 1_000);
        return sim.run(100_000_000L);
    }
}
