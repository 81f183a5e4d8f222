package io.taskscratch.bench;

import io.taskscratch.kernel.KernelBackend;
import io.taskscratch.kernel.KernelRegistration;
import io.taskscratch.percpu.CpuSource;
import io.taskscratch.percpu.CpuView;
import io.taskscratch.region.HeaderField;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAbi;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one CPU-view read per source (goal: at most 2 ns from a region):
 * {@code region} — the calling thread's region written like the scheduler model's hook writes it;
 * {@code kernel} — the thread registered in the kernel backend, its region written by the BPF
 * program (needs root and Linux ≥ 6.13; the setup fails otherwise); {@code sched_getcpu} — the
 * fallback without regions, a critical FFM downcall. {@code cpu}/{@code migrations} read through
 * a view the thread holds; {@code cpuViaSource} also looks the view up ({@code currentView()}:
 * for region sources a thread-id cache in front of a {@code ThreadLocal}), as
 * {@code PerCpuCounter.increment()} does. The floors under them: {@code intField} (a plain Java
 * field: what the harness itself costs) and {@code segmentGet}/{@code segmentOpaque} (the {@code cpu} field read straight from a region
 * segment the benchmark holds, with the segment's bounds and liveness checks, plain and opaque).
 * {@code mvn -q -Pbench package -Dbench.args="CpuViewBench -f 1 -wi 3 -i 5 -w 1 -r 1"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CpuViewBench {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    /** Where the view reads from. */
    @Param({"region", "kernel", "sched_getcpu"})
    public String source;

    private RegionAllocator allocator;
    private ScratchRegion region;
    private KernelBackend backend;
    private KernelRegistration registration;
    private CpuSource cpuSource;
    private CpuView view;
    private ScratchRegion floorRegion;
    private MemorySegment floor;
    private int intField = 1;

    /** Builds the source and binds the benchmark thread's view. */
    @Setup(Level.Trial)
    public void setUp() {
        switch (source) {
            case "region" -> {
                allocator = RegionAllocator.create(RegionLayout.defaults(), PinMode.PINNED);
                region = allocator.allocate();
                region.set(HeaderField.CPU, 1, MemoryOrder.OPAQUE);
                ScratchRegion r = region;
                cpuSource = CpuSource.regions("region", () -> r);
            }
            case "kernel" -> {
                backend = KernelBackend.open();
                registration = backend.register();
                cpuSource = KernelCpuSource.of(backend);
            }
            case "sched_getcpu" -> cpuSource = CpuSource.schedGetcpu();
            default -> throw new IllegalArgumentException("source " + source);
        }
        floorRegion = RegionAllocator.create(RegionLayout.defaults(), PinMode.PINNED).allocate();
        floorRegion.set(HeaderField.CPU, 1, MemoryOrder.OPAQUE);
        floor = floorRegion.segment();
        view = cpuSource.currentView();
        if (!source.equals("sched_getcpu") && view.migrations() == CpuView.SEQUENCE_UNKNOWN) {
            throw new IllegalStateException(source + ": the view found no region");
        }
    }

    /** Unregisters and frees. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (registration != null) {
            registration.close();
            backend.close();
        }
        if (region != null) {
            region.close();
        }
        floorRegion.close();
    }

    /** {@link CpuView#cpu()} through the thread's view. */
    @Benchmark
    public int cpu() {
        return view.cpu();
    }

    /** {@link CpuView#migrations()} through the thread's view (the pool's per-operation check). */
    @Benchmark
    public long migrations() {
        return view.migrations();
    }

    /** The harness floor: a plain Java {@code int} field of the benchmark state. */
    @Benchmark
    public int intField() {
        return intField;
    }

    /** The FFM floor: the {@code cpu} field of a region segment the benchmark holds, plain get. */
    @Benchmark
    public int segmentGet() {
        return floor.get(ValueLayout.JAVA_INT, RegionAbi.CPU_OFFSET);
    }

    /** As {@link #segmentGet()} with the view's access mode (opaque). */
    @Benchmark
    public int segmentOpaque() {
        return (int) INT.getOpaque(floor, (long) RegionAbi.CPU_OFFSET);
    }

    /** The view looked up, then read: {@code source.currentView().cpu()}. */
    @Benchmark
    public int cpuViaSource() {
        return cpuSource.currentView().cpu();
    }
}
