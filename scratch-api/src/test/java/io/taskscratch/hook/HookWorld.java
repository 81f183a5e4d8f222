package io.taskscratch.hook;

import io.taskscratch.map.MapSpec;
import io.taskscratch.map.MapValue;
import io.taskscratch.map.PointeeType;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.map.ValueType;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test world: a registry on its own rcu domain, a task-storage map whose 16-byte value holds
 * a uptr {@code udata} at 0 and plain data at 8, regions with an 8-byte key {@code hits}, and
 * the failures the registry reported.
 */
final class HookWorld implements AutoCloseable {
    static final RegionLayout LAYOUT = RegionLayout.builder().staticKey("hits", 8).build();
    static final int HITS = LAYOUT.key("hits").offset();
    static final ValueType VALUE = ValueType.builder(16).uptr("udata", 0, PointeeType.of(LAYOUT)).build();

    final Rcu rcu;
    final TracepointRegistry tps;
    final List<HookFailure> failures = new CopyOnWriteArrayList<>();
    final RegionAllocator alloc = RegionAllocator.create(LAYOUT, PinMode.UNPINNED);
    final TaskStorageMap map;

    HookWorld(String name) {
        this(name, null);
    }

    /** With a substitute retirer (null: the real grace periods). */
    HookWorld(String name, TracepointRegistry.Retirer retirer) {
        rcu = Rcu.create(name);
        tps = new TracepointRegistry(name, rcu, NativePlatform.instance(), failures::add, retirer);
        map = TaskStorageMap.create(name + "-map", MapSpec.taskStorage(VALUE), rcu);
    }

    /** Registers {@code region} as {@code task}'s element. */
    void register(TaskHandle task, ScratchRegion region) {
        MapValue v = map.newValue();
        v.setUptr("udata", region);
        map.update(task, v, 0);
    }

    @Override
    public void close() {
        map.close();
        rcu.close();
    }
}
