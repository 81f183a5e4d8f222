package io.taskscratch.demo;

import io.taskscratch.ScratchException;
import io.taskscratch.map.MapFlags;
import io.taskscratch.map.MapSpec;
import io.taskscratch.map.PointeeType;
import io.taskscratch.map.StorageElement;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.map.ValueType;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.HeaderSnapshot;
import io.taskscratch.region.Key;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import io.taskscratch.writer.PinnedWriter;
import io.taskscratch.writer.WriteContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The scratch-api example: a few threads each register a pinned region in a task-storage map,
 * set keys and header fields, and the main thread prints every region as a program would see
 * it (through {@code taskStorageGet}): a seqlock-consistent header snapshot and the keys.
 */
public final class ExampleMain {
    private static final int THREADS = 3;

    private ExampleMain() {
    }

    /** Runs the example. */
    public static void main(String[] args) throws InterruptedException {
        RegionLayout layout = RegionLayout.builder().staticKey("lock_depth", 4).staticKey("role", 1).dynamicBudget(16).build();
        Key depth = layout.key("lock_depth");
        Key role = layout.key("role");
        Key requests = layout.createKey("requests", 8); // a dynamic key, from the 16-byte budget
        RegionAllocator allocator = allocator(layout);
        TaskStorageMap map = TaskStorageMap.create("sched_scratch",
                MapSpec.taskStorage(ValueType.singleUptr("udata", PointeeType.of(layout))));
        PinnedWriter writer = new PinnedWriter();

        CountDownLatch registered = new CountDownLatch(THREADS);
        CountDownLatch printed = new CountDownLatch(1);
        List<TaskHandle> tasks = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            int n = i;
            Thread t = new Thread(() -> {
                TaskHandle self = TaskHandle.current();
                ScratchRegion region = allocator.allocate(self);
                map.update(self, map.newValue().setUptr("udata", region), MapFlags.NOEXIST);
                region.putInt(depth, n + 1, MemoryOrder.OPAQUE);
                region.putByte(role, (byte) ('A' + n), MemoryOrder.PLAIN);
                region.putLong(requests, 100L * (n + 1), MemoryOrder.PLAIN);
                writer.switchIn(WriteContext.task(self), region, n % Runtime.getRuntime().availableProcessors(),
                        System.nanoTime(), n == 2);
                synchronized (tasks) {
                    tasks.add(self);
                }
                registered.countDown();
                try {
                    printed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                map.delete(self);
                map.awaitUnpins(); // the region stays pinned until readers are done
                region.close();
            }, "worker-" + i);
            threads.add(t);
            t.start();
        }
        registered.await();
        tasks.sort(java.util.Comparator.comparing(TaskHandle::name));
        System.out.println("layout: " + layout + ", " + layout.regionsPerPage() + " regions per page");
        for (TaskHandle task : tasks) {
            try (var section = Rcu.global().read(Flavor.NORMAL)) { // as a hook program would
                StorageElement e = map.taskStorageGet(task, 0);
                if (e != null && e.uptr("udata") instanceof ScratchRegion r) {
                    HeaderSnapshot s = r.snapshot();
                    System.out.printf("%-9s tid %-7d pinned=%-5b on_cpu=%-5b cpu=%d switches=%d migrations=%d abi=%d%n",
                            task.name(), task.osTid(), r.isPinned(), s.onCpu(), s.cpu(), s.switches(), s.migrations(),
                            s.abiVersion());
                    for (Key k : layout.keys()) {
                        System.out.printf("          %-10s @%-3d = %s%n", k.name(), k.offset(), format(r, k));
                    }
                }
            }
            System.out.println("          lookup hides the region: udata = " + map.lookup(task).uptr("udata"));
        }
        System.out.println("allocator: " + allocator.stats());
        printed.countDown();
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("after unregister: map size " + map.size() + ", allocator " + allocator.stats());
        map.close();
    }

    private static RegionAllocator allocator(RegionLayout layout) {
        RegionAllocator pinned = RegionAllocator.create(layout, PinMode.PINNED);
        try {
            pinned.allocate().close();
            return pinned;
        } catch (ScratchException e) {
            System.out.println("cannot pin, falling back to unpinned regions: " + e.getMessage());
            return RegionAllocator.create(layout, PinMode.UNPINNED);
        }
    }

    private static String format(ScratchRegion r, Key k) {
        return switch (k.size()) {
            case 1 -> "'" + (char) r.getByte(k, MemoryOrder.PLAIN) + "'";
            case 4 -> Integer.toString(r.getInt(k, MemoryOrder.PLAIN));
            case 8 -> Long.toString(r.getLong(k, MemoryOrder.PLAIN));
            default -> java.util.HexFormat.of().formatHex(r.getBytes(k));
        };
    }
}
