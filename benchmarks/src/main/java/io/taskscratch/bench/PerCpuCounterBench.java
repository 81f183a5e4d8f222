package io.taskscratch.bench;

import io.taskscratch.percpu.CpuSource;
import io.taskscratch.percpu.PerCpuCounter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Increment throughput of {@link PerCpuCounter} (one cell per CPU, {@code sched_getcpu}) against
 * {@link LongAdder} (cells by thread hash, up to the next power of two ≥ CPUs), all threads on
 * one counter (goal: ≥ 1.0× at 8 threads on 2 CPUs):
 * {@code java -jar benchmarks.jar PerCpuCounterBench -t 8 -f 1 -wi 3 -i 5 -w 1 -r 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PerCpuCounterBench {
    private PerCpuCounter perCpu;
    private LongAdder adder;

    /** Both counters at 0. */
    @Setup
    public void setUp() {
        perCpu = PerCpuCounter.create(CpuSource.schedGetcpu(), Runtime.getRuntime().availableProcessors());
        adder = new LongAdder();
    }

    /** {@link PerCpuCounter#increment()}. */
    @Benchmark
    public void perCpuCounter() {
        perCpu.increment();
    }

    /** {@link LongAdder#increment()}. */
    @Benchmark
    public void longAdder() {
        adder.increment();
    }
}
