package io.taskscratch.bench;

import io.taskscratch.map.MapFlags;
import io.taskscratch.map.MapSpec;
import io.taskscratch.map.MapValue;
import io.taskscratch.map.PointeeType;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.map.ValueType;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Register + unregister: a map update that pins a region plus the delete that retires it (the
 * unpin itself runs later, after a grace period, on the grace-period thread), and a region's own
 * allocate + free (the free closes the region's shared arena: a JVM handshake). The scores are
 * the caller's cost; unpinning and slot reuse run later on the rcu callback threads.
 * {@code mvn -q -Pbench package -Dbench.args="RegisterBench -f 1 -wi 3 -i 5 -w 1 -r 1"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RegisterBench {
    private RegionAllocator allocator;
    private TaskStorageMap map;
    private TaskHandle task;
    private ScratchRegion region;
    private MapValue value;

    /** One map, one simulated task, one pinned region. */
    @Setup
    public void setUp() {
        RegionLayout layout = RegionLayout.defaults();
        allocator = RegionAllocator.create(layout, PinMode.PINNED);
        map = TaskStorageMap.create("bench", MapSpec.taskStorage(ValueType.singleUptr("udata", PointeeType.of(layout))));
        task = TaskHandle.simulated("bench-task");
        region = allocator.allocate(task);
        value = map.newValue().setUptr("udata", region);
    }

    /**
     * Waits for the deferred unpins and slot reclaims of the iteration, so the grace-period
     * backlog stays bounded (its work runs on the rcu callback threads, not in the score).
     */
    @TearDown(Level.Iteration)
    public void drain() {
        map.awaitUnpins();
    }

    /** Closes the map (unpins at once) and frees the region. */
    @TearDown
    public void tearDown() {
        map.close();
        region.close();
    }

    /** {@code update(task, {udata = region}, ANY)} then {@code delete(task)}. */
    @Benchmark
    public int registerUnregister() {
        map.update(task, value, MapFlags.ANY);
        map.delete(task);
        return map.size();
    }

    /** {@code allocate()} then {@code close()} of a region (slot reuse deferred by a grace period). */
    @Benchmark
    public long allocateFree() {
        ScratchRegion r = allocator.allocate(task);
        long id = r.id();
        r.close();
        return id;
    }
}
