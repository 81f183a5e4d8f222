package io.taskscratch.bench;

import io.taskscratch.hook.HookLink;
import io.taskscratch.hook.HookProgram;
import io.taskscratch.hook.Tracepoint;
import io.taskscratch.hook.TracepointRegistry;
import io.taskscratch.map.MapSpec;
import io.taskscratch.map.MapValue;
import io.taskscratch.map.PointeeType;
import io.taskscratch.map.StorageElement;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.map.ValueType;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import io.taskscratch.writer.PinnedWriter;
import io.taskscratch.writer.WriteContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
 * Cost of firing {@code sched_switch} through a {@link TracepointRegistry}: with 0, 1 and 4
 * attached non-sleepable hooks that each bump a counter ({@code fire}), and with one realistic
 * sched-state hook that looks up the next task's element and writes its region with the pinned
 * writer ({@code fireSchedState}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HookFireBench {
    /** Number of trivial non-sleepable hooks attached to sched_switch for {@code fire}. */
    @Param({"0", "1", "4"})
    public int hooks;

    private Rcu rcu;
    private TracepointRegistry tps;
    private TracepointRegistry schedState;
    private final List<HookLink> links = new ArrayList<>();
    private TaskHandle prev;
    private TaskHandle next;
    private TaskStorageMap map;
    private long now;
    /** Written by the trivial hooks so they are not empty. */
    public long counter;

    /** Builds the registries, hooks, map and region. */
    @Setup(Level.Trial)
    public void setUp() {
        rcu = Rcu.create("bench");
        tps = TracepointRegistry.create("bench", rcu, NativePlatform.instance(), f -> { });
        for (int i = 0; i < hooks; i++) {
            links.add(tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("count-" + i, ctx -> counter++), false));
        }
        prev = TaskHandle.simulated("prev");
        next = TaskHandle.simulated("next");
        RegionLayout layout = RegionLayout.defaults();
        map = TaskStorageMap.create("bench", MapSpec.taskStorage(ValueType.singleUptr("udata", PointeeType.of(layout))), rcu);
        ScratchRegion region = RegionAllocator.create(layout, PinMode.UNPINNED).allocate(next);
        MapValue v = map.newValue();
        v.setUptr("udata", region);
        map.update(next, v, 0);
        PinnedWriter writer = new PinnedWriter();
        WriteContext wctx = WriteContext.task(next);
        schedState = TracepointRegistry.create("bench-sched-state", rcu, NativePlatform.instance(), f -> { });
        links.add(schedState.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("sched-state", Set.of(map), ctx -> {
            StorageElement e = ctx.taskStorageGet(map, ctx.next(), 0);
            ScratchRegion r = e == null ? null : ctx.region(e, "udata");
            if (r != null) {
                writer.switchIn(wctx, r, ctx.cpu(), ctx.nowNs(), false);
            }
        }), false));
        schedState.fireSchedSwitch(prev, next, 0, false, now++);
        for (HookLink l : links) {
            if (!l.isAttached()) { // a detached hook would make the benchmark measure an idle tracepoint
                throw new IllegalStateException(l + " was detached: " + l.failure());
            }
        }
    }

    /** Detaches the hooks and closes the domain and map. */
    @TearDown(Level.Trial)
    public void tearDown() {
        links.forEach(HookLink::close);
        map.close();
        rcu.close();
    }

    /** One sched_switch with {@link #hooks} trivial hooks. */
    @Benchmark
    public long fire() {
        tps.fireSchedSwitch(prev, next, 0, false, now++);
        return counter;
    }

    /** One sched_switch whose hook writes the next task's region (taskStorageGet + seqcount update). */
    @Benchmark
    public long fireSchedState() {
        schedState.fireSchedSwitch(prev, next, 0, false, now++);
        return now;
    }
}
