package io.taskscratch.bench;

import io.taskscratch.demo.percpu.ComparedPool;
import io.taskscratch.demo.percpu.SharedQueuePool;
import io.taskscratch.demo.percpu.ThreadLocalPool;
import io.taskscratch.kernel.KernelBackend;
import io.taskscratch.kernel.KernelRegistration;
import io.taskscratch.percpu.CpuSource;
import io.taskscratch.percpu.PerCpuPool;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Allocate + free through each pool, all benchmark threads sharing one pool (goals: the per-CPU
 * pool ≥ 0.9× the per-thread pool at threads ≤ CPUs, ≥ 2× the shared lock-free queue at 2
 * threads on 2 CPUs). {@code percpu} reads the CPU with {@code sched_getcpu} (no registration);
 * {@code percpu-kernel} registers every benchmark thread in a {@link KernelBackend} (root, Linux ≥
 * 6.13) and reads its kernel-written region: one load of {@code migrations} per operation, the CPU
 * only after a migration;
 * {@code percpu-fixed} gives each thread a constant CPU and migration count ({@link FixedCpuSource}):
 * the pool's own cost (home lookup, list lock) without any CPU read;
 * {@code threadlocal} is a bounded stack per thread; {@code shared} one Agrona
 * {@code ManyToManyConcurrentArrayQueue}. Every pool holds objects before the first operation, so
 * an allocation hits the pool. Threads with {@code -t}:
 * {@code java -jar benchmarks.jar PerCpuPoolBench -t 2 -f 1 -wi 3 -i 5 -w 1 -r 1}.
 *
 * <p>Agrona 2's queues reach {@code jdk.internal.misc.Unsafe} (its {@code UnsafeApi}), so the fork
 * gets {@value #AGRONA_UNSAFE}; without it the queue's class initialisation fails with an
 * {@link IllegalAccessError}.
 */
@Fork(jvmArgsAppend = PerCpuPoolBench.AGRONA_UNSAFE)
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PerCpuPoolBench {
    /** The JVM flag Agrona 2's concurrent queues need on JDK 25. */
    static final String AGRONA_UNSAFE = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    /** Objects per CPU (per-CPU pool), per thread (thread-local) and per CPU in the shared queue. */
    static final int CAPACITY = 64;

    /** The pool. */
    @Param({"percpu", "percpu-kernel", "percpu-fixed", "threadlocal", "shared"})
    public String pool;

    private ComparedPool<byte[]> target;
    private KernelBackend backend; // percpu-kernel only

    /** A benchmark thread's kernel registration ({@code percpu-kernel} only). */
    @State(Scope.Thread)
    public static class Registered {
        private KernelRegistration registration;

        /**
         * Registers the thread when the pool reads kernel regions.
         *
         * @param bench the benchmark state (its backend)
         */
        @Setup
        public void register(PerCpuPoolBench bench) {
            registration = KernelCpuSource.register(bench.backend);
        }

        /** Unregisters. */
        @TearDown
        public void unregister() {
            KernelCpuSource.unregister(registration);
        }
    }

    /** Builds the pool. */
    @Setup
    public void setUp() {
        int cpus = Runtime.getRuntime().availableProcessors();
        target = switch (pool) {
            case "percpu" -> ComparedPool.of(PerCpuPool.<byte[]>builder(CpuSource.schedGetcpu(), () -> new byte[256])
                    .cpus(cpus).capacityPerCpu(CAPACITY).build(), "percpu");
            case "percpu-kernel" -> {
                backend = KernelBackend.open();
                yield ComparedPool.of(PerCpuPool.<byte[]>builder(KernelCpuSource.of(backend), () -> new byte[256])
                        .cpus(cpus).capacityPerCpu(CAPACITY).build(), "percpu-kernel");
            }
            case "percpu-fixed" -> ComparedPool.of(PerCpuPool.<byte[]>builder(new FixedCpuSource(cpus), () -> new byte[256])
                    .cpus(cpus).capacityPerCpu(CAPACITY).build(), "percpu-fixed");
            case "threadlocal" -> new ThreadLocalPool<byte[]>(() -> new byte[256], CAPACITY);
            case "shared" -> new SharedQueuePool<byte[]>(() -> new byte[256], cpus * CAPACITY);
            default -> throw new IllegalArgumentException("pool " + pool);
        };
        byte[][] warm = new byte[CAPACITY][];
        for (int i = 0; i < warm.length; i++) {
            warm[i] = target.allocate();
        }
        for (byte[] b : warm) {
            target.free(b);
        }
    }

    /** Closes the kernel backend (after the threads unregistered). */
    @TearDown
    public void tearDown() {
        if (backend != null) {
            backend.close();
        }
    }

    /**
     * One allocation and its free.
     *
     * @param registered the thread's kernel registration, if any
     * @return the buffer (consumed by JMH)
     */
    @Benchmark
    public byte[] allocateFree(Registered registered) {
        byte[] b = target.allocate();
        target.free(b);
        return b;
    }
}
