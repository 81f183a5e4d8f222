package io.taskscratch.bench;

import io.taskscratch.kernel.KernelBackend;
import io.taskscratch.kernel.KernelRegistration;
import io.taskscratch.percpu.CpuSource;
import io.taskscratch.percpu.CpuView;
import io.taskscratch.percpu.PerCpuCounter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Increment throughput of {@link PerCpuCounter} (one cell per CPU) against {@link LongAdder}
 * (cells by thread hash, up to the next power of two ≥ CPUs), all threads on one counter (goal:
 * ≥ 1.0× at 8 threads on 2 CPUs). The counter's CPU source: {@code sched_getcpu} (a downcall per
 * add), {@code kernel} (every benchmark thread registered in a {@link KernelBackend}, root and
 * Linux ≥ 6.13: one load from its kernel-written region) or {@code fixed} (a constant CPU per
 * thread, {@link FixedCpuSource}: the atomic add without a CPU read); {@code longAdder} ignores it.
 * {@code perCpuCounter} looks the thread's view up on every add ({@code increment()}),
 * {@code perCpuCounterHeldView} passes the view the thread keeps ({@code add(view, 1)}):
 * {@code java -jar benchmarks.jar PerCpuCounterBench -t 8 -f 1 -wi 3 -i 5 -w 1 -r 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PerCpuCounterBench {
    /** Where {@link PerCpuCounter} reads each thread's CPU. */
    @Param({"sched_getcpu", "kernel", "fixed"})
    public String source;

    private CpuSource cpuSource;
    private PerCpuCounter perCpu;
    private LongAdder adder;
    private KernelBackend backend; // kernel only

    /** A benchmark thread's kernel registration ({@code kernel} only) and its view. */
    @State(Scope.Thread)
    public static class ThreadState {
        private KernelRegistration registration;
        private CpuView view;

        /**
         * Registers the thread when the counter reads kernel regions, then takes its view.
         *
         * @param bench the benchmark state (its backend and source)
         */
        @Setup
        public void register(PerCpuCounterBench bench) {
            registration = KernelCpuSource.register(bench.backend);
            view = bench.cpuSource.currentView();
        }

        /** Unregisters. */
        @TearDown
        public void unregister() {
            KernelCpuSource.unregister(registration);
        }
    }

    /** Both counters at 0. */
    @Setup
    public void setUp() {
        int cpus = Runtime.getRuntime().availableProcessors();
        cpuSource = switch (source) {
            case "sched_getcpu" -> CpuSource.schedGetcpu();
            case "kernel" -> {
                backend = KernelBackend.open();
                yield KernelCpuSource.of(backend);
            }
            case "fixed" -> new FixedCpuSource(cpus);
            default -> throw new IllegalArgumentException("source " + source);
        };
        perCpu = PerCpuCounter.create(cpuSource, cpus);
        adder = new LongAdder();
    }

    /** Closes the kernel backend (after the threads unregistered). */
    @TearDown
    public void tearDown() {
        if (backend != null) {
            backend.close();
        }
    }

    /**
     * {@link PerCpuCounter#increment()}.
     *
     * @param thread the thread's kernel registration, if any
     */
    @Benchmark
    public void perCpuCounter(ThreadState thread) {
        perCpu.increment();
    }

    /**
     * {@link PerCpuCounter#add(CpuView, long)} with the view the thread keeps.
     *
     * @param thread the thread's view (and kernel registration, if any)
     */
    @Benchmark
    public void perCpuCounterHeldView(ThreadState thread) {
        perCpu.add(thread.view, 1L);
    }

    /** {@link LongAdder#increment()}. */
    @Benchmark
    public void longAdder() {
        adder.increment();
    }
}
