package io.taskscratch.bench;

import io.taskscratch.demo.locks.ComparedLock;
import io.taskscratch.demo.locks.LockFactory;
import io.taskscratch.demo.locks.LockKind;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.platform.NativePlatform;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Every {@link LockKind} from {@link LockFactory} on real threads, two threads on one lock,
 * each critical section burning {@code csTokens} of {@link Blackhole#consumeCPU}: throughput of
 * the whole comparison in one run. The adaptive kinds use no scheduler state here
 * ({@link OwnerStateSource#none()}); state-source variants need the region adapters.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
@State(Scope.Benchmark)
public class LockKindsBench {
    /** Which lock. */
    @Param({"ADAPTIVE", "ADAPTIVE_RESILIENT", "REENTRANT_LOCK", "REENTRANT_LOCK_FAIR", "SYNCHRONIZED", "TTAS_SPIN",
            "SPIN_100_THEN_PARK", "BACKOFF_SPIN_YIELD_PARK", "YIELD_40_THEN_PARK"})
    public LockKind kind;

    /** Critical-section length in consumeCPU tokens. */
    @Param({"10"})
    public long csTokens;

    private ComparedLock lock;
    private Runnable section;

    /** Builds the lock and a reusable critical section (no allocation per operation). */
    @Setup
    public void setup() {
        lock = LockFactory.create(kind, NativePlatform.instance(), OwnerStateSource.none());
        long tokens = csTokens;
        section = () -> Blackhole.consumeCPU(tokens);
    }

    /** One lock, critical section, unlock. */
    @Benchmark
    public void lockedSection() {
        lock.runLocked(section);
    }
}
