package io.taskscratch.bench;

import io.taskscratch.region.HeaderField;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Reading {@code on_cpu} from a pinned off-heap region versus reading a volatile int field of a
 * heap object (the goal: at most 1.5x). Run side by side:
 * {@code mvn -q -Pbench package -Dbench.args="RegionReadBench -f 1 -wi 3 -i 5 -w 1 -r 1"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RegionReadBench {
    /** The heap baseline: the same flag as a volatile field. */
    static final class HeapState {
        volatile int onCpu = 1;
    }

    private RegionAllocator allocator;
    private ScratchRegion region;
    private HeapState heap;

    /** Allocates one pinned region with {@code on_cpu = 1}. */
    @Setup
    public void setUp() {
        allocator = RegionAllocator.create(RegionLayout.defaults(), PinMode.PINNED);
        region = allocator.allocate();
        region.set(HeaderField.ON_CPU, 1, MemoryOrder.VOLATILE);
        heap = new HeapState();
    }

    /** Frees the region. */
    @TearDown
    public void tearDown() {
        region.close();
    }

    /** Baseline: a volatile int field of a heap object. */
    @Benchmark
    public int heapVolatileInt() {
        return heap.onCpu;
    }

    /** {@link ScratchRegion#onCpu()}: an opaque load from the region. */
    @Benchmark
    public boolean regionOnCpu() {
        return region.onCpu();
    }

    /** {@code on_cpu} with volatile ordering through the generic accessor. */
    @Benchmark
    public long regionOnCpuVolatile() {
        return region.get(HeaderField.ON_CPU, MemoryOrder.VOLATILE);
    }

    /** A full seqlock-consistent header snapshot (allocates the record). */
    @Benchmark
    public Object regionSnapshot() {
        return region.snapshot();
    }
}
