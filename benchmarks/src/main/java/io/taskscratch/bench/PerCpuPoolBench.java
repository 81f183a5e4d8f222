package io.taskscratch.bench;

import io.taskscratch.demo.percpu.ComparedPool;
import io.taskscratch.demo.percpu.SharedQueuePool;
import io.taskscratch.demo.percpu.ThreadLocalPool;
import io.taskscratch.percpu.CpuSource;
import io.taskscratch.percpu.PerCpuPool;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Allocate + free through each pool, all benchmark threads sharing one pool (goals: the per-CPU
 * pool ≥ 0.9× the per-thread pool at threads ≤ CPUs, ≥ 2× the shared lock-free queue at 2
 * threads on 2 CPUs). {@code percpu} reads the CPU with {@code sched_getcpu} (no registration);
 * {@code threadlocal} is a bounded stack per thread; {@code shared} one Agrona
 * {@code ManyToManyConcurrentArrayQueue}. Every pool holds objects before the first operation, so
 * an allocation hits the pool. Threads with {@code -t}:
 * {@code java -jar benchmarks.jar PerCpuPoolBench -t 2 -f 1 -wi 3 -i 5 -w 1 -r 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PerCpuPoolBench {
    /** Objects per CPU (per-CPU pool), per thread (thread-local) and per CPU in the shared queue. */
    static final int CAPACITY = 64;

    /** The pool. */
    @Param({"percpu", "threadlocal", "shared"})
    public String pool;

    private ComparedPool<byte[]> target;

    /** Builds the pool. */
    @Setup
    public void setUp() {
        int cpus = Runtime.getRuntime().availableProcessors();
        target = switch (pool) {
            case "percpu" -> ComparedPool.of(PerCpuPool.<byte[]>builder(CpuSource.schedGetcpu(), () -> new byte[256])
                    .cpus(cpus).capacityPerCpu(CAPACITY).build(), "percpu");
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

    /** One allocation and its free. */
    @Benchmark
    public byte[] allocateFree() {
        byte[] b = target.allocate();
        target.free(b);
        return b;
    }
}
