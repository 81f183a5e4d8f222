package io.taskscratch.bench;

import io.taskscratch.hook.HookProgram;
import io.taskscratch.hook.MapAccessBarrier;
import io.taskscratch.hook.Tracepoint;
import io.taskscratch.hook.TracepointRegistry;
import io.taskscratch.map.MapSpec;
import io.taskscratch.map.PointeeType;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.map.ValueType;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.task.TaskHandle;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * Latency of the map-access barrier while one background thread fires {@code sched_switch}
 * continuously into a hook that uses the map (each invocation spins {@link #hookNanos}): the
 * normal barrier (spin, yield, then park with backoff) against the expedited one (spin and
 * yield only). Long invocations outlast the normal barrier's spin phase, so it parks and
 * oversleeps; the expedited one notices the end at once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HookSyncMapAccessBench {
    /** How long each hook invocation spins, in nanoseconds. */
    @Param({"1000", "100000"})
    public long hookNanos;

    private Rcu rcu;
    private TaskStorageMap map;
    private final AtomicBoolean stop = new AtomicBoolean();
    private Thread firer;

    /** Starts the firing thread. */
    @Setup(Level.Trial)
    public void setUp() {
        rcu = Rcu.create("bench-barrier");
        map = TaskStorageMap.create("bench-barrier", MapSpec.taskStorage(
                ValueType.singleUptr("udata", PointeeType.user("sched_scratch", 64))), rcu);
        TracepointRegistry tps = TracepointRegistry.create("bench-barrier", rcu, NativePlatform.instance(), f -> { });
        tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("reader", Set.of(map), ctx -> {
            long until = System.nanoTime() + hookNanos;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }), false);
        TaskHandle a = TaskHandle.simulated("a");
        TaskHandle b = TaskHandle.simulated("b");
        firer = Thread.ofPlatform().daemon().name("bench-firer").start(() -> {
            for (long n = 0; !stop.get(); n++) {
                tps.fireSchedSwitch(a, b, 0, false, n);
            }
        });
    }

    /** Stops the firing thread. */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        stop.set(true);
        firer.join();
        map.close();
        rcu.close();
    }

    /** {@link MapAccessBarrier#syncMapAccess}. */
    @Benchmark
    public void syncMapAccess() {
        MapAccessBarrier.syncMapAccess(map);
    }

    /** {@link MapAccessBarrier#syncMapAccessExpedited}. */
    @Benchmark
    public void syncMapAccessExpedited() {
        MapAccessBarrier.syncMapAccessExpedited(map);
    }
}
