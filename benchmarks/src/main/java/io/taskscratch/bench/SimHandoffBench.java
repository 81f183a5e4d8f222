package io.taskscratch.bench;

import io.taskscratch.sched.SimConfig;
import io.taskscratch.sched.SimResult;
import io.taskscratch.sched.Simulation;
import io.taskscratch.sched.ThreadKind;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Host cost of the scheduler model's lockstep runner.
 *
 * <ul>
 *   <li>{@code handoff}: two tasks on one CPU call {@code yieldCpu()} in turn, so every model
 *       call switches tasks and passes control to the other task's Java thread: ns per call.</li>
 *   <li>{@code noHandoff}: one task calls {@code work(10)}: a model call that returns to the
 *       same task (event queue round trip, no thread switch): ns per call.</li>
 * </ul>
 * Each invocation builds a fresh simulation; thread start-up is amortised over {@value #CALLS} calls.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SimHandoffBench {
    static final int CALLS = 20_000;

    /** Java threads that carry the task bodies. */
    @Param({"VIRTUAL", "PLATFORM"})
    public ThreadKind threads;

    /** Two tasks yielding to each other: every model call is a hand-off. */
    @Benchmark
    @OperationsPerInvocation(CALLS)
    public SimResult handoff() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(1).policy("rr").threads(threads).build());
        for (int t = 0; t < 2; t++) {
            sim.spawn("y" + t, p -> {
                for (int i = 0; i < CALLS / 2; i++) {
                    p.yieldCpu();
                }
            });
        }
        return sim.run(Long.MAX_VALUE);
    }

    /** One task: model calls that come back to the caller without a thread switch. */
    @Benchmark
    @OperationsPerInvocation(CALLS)
    public SimResult noHandoff() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(1).threads(threads).build());
        sim.spawn("w", p -> {
            for (int i = 0; i < CALLS; i++) {
                p.work(10);
            }
        });
        return sim.run(Long.MAX_VALUE);
    }
}
