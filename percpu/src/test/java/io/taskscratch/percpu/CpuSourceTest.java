package io.taskscratch.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.region.HeaderField;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CpuSourceTest {
    private static final int ONLINE = Runtime.getRuntime().availableProcessors();

    @Test
    void schedGetcpuAnswersARealCpuAndHasNoNotifications() {
        CpuView v = CpuSource.schedGetcpu().currentView();
        int cpu = v.cpu();
        assertTrue(cpu >= 0 && cpu < CpuSlots.MAX_SLOTS, "sched_getcpu said " + cpu);
        assertEquals(CpuView.SEQUENCE_UNKNOWN, v.switches());
        assertEquals(CpuView.SEQUENCE_UNKNOWN, v.migrations());
        assertEquals("sched_getcpu", CpuSource.schedGetcpu().name());
    }

    @Test
    void schedGetcpuFollowsAffinityOfEveryCpuWeRun() throws Exception {
        // Many threads over time: every answer is a CPU this process may use (at most the online count
        // on a host without a cpuset; a cpuset can only lower the count of distinct answers).
        java.util.Set<Integer> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread[] ts = new Thread[4];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = new Thread(() -> {
                for (int k = 0; k < 10_000; k++) {
                    seen.add(CpuSource.schedGetcpu().currentView().cpu());
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertTrue(seen.size() <= ONLINE, "distinct CPUs " + seen + " on " + ONLINE + " online");
        assertTrue(seen.stream().allMatch(c -> c >= 0), "negative CPU in " + seen);
    }

    @Test
    void regionViewReadsTheHeaderFieldsTheWriterStores() {
        RegionAllocator allocator = RegionAllocator.create(RegionLayout.defaults(), PinMode.UNPINNED);
        ScratchRegion region = allocator.allocate();
        CpuView v = CpuSource.regions("test", () -> region).currentView();
        region.set(HeaderField.CPU, 5, MemoryOrder.OPAQUE);
        region.set(HeaderField.SWITCHES, 7, MemoryOrder.OPAQUE);
        region.set(HeaderField.MIGRATIONS, 3, MemoryOrder.OPAQUE);
        assertEquals(5, v.cpu());
        assertEquals(7, v.switches());
        assertEquals(3, v.migrations());
        region.set(HeaderField.CPU, 1, MemoryOrder.OPAQUE);
        region.set(HeaderField.MIGRATIONS, 0xFFFF_FFFFL, MemoryOrder.OPAQUE);
        assertEquals(1, v.cpu(), "every read loads the field again");
        assertEquals(0xFFFF_FFFFL, v.migrations(), "u32 migrations are zero-extended, never SEQUENCE_UNKNOWN");
        region.close();
    }

    @Test
    void threadWithoutRegionGetsSchedGetcpuUntilItHasOne() {
        RegionAllocator allocator = RegionAllocator.create(RegionLayout.defaults(), PinMode.UNPINNED);
        AtomicReference<ScratchRegion> registered = new AtomicReference<>();
        AtomicInteger lookups = new AtomicInteger();
        CpuView v = CpuSource.regions("test", () -> {
            lookups.incrementAndGet();
            return registered.get();
        }).currentView();
        assertEquals(CpuView.SEQUENCE_UNKNOWN, v.migrations());
        assertEquals(CpuView.SEQUENCE_UNKNOWN, v.switches());
        assertTrue(v.cpu() >= 0);
        ScratchRegion region = allocator.allocate();
        region.set(HeaderField.CPU, 42, MemoryOrder.OPAQUE);
        region.set(HeaderField.MIGRATIONS, 9, MemoryOrder.OPAQUE);
        registered.set(region);
        assertEquals(9, v.migrations());
        int before = lookups.get();
        assertEquals(42, v.cpu());
        assertEquals(9, v.migrations());
        assertEquals(before, lookups.get(), "a bound view does not look its region up again");
        region.close();
    }

    @Test
    void freedRegionIsNeverReadAndTheViewLooksUpAgain() {
        RegionAllocator allocator = RegionAllocator.create(RegionLayout.defaults(), PinMode.UNPINNED);
        ScratchRegion first = allocator.allocate();
        first.set(HeaderField.MIGRATIONS, 4, MemoryOrder.OPAQUE);
        AtomicReference<ScratchRegion> registered = new AtomicReference<>(first);
        CpuView v = CpuSource.regions("test", registered::get).currentView();
        assertEquals(4, v.migrations());
        first.close();
        registered.set(null);
        assertEquals(CpuView.SEQUENCE_UNKNOWN, v.migrations(), "freed: no notifications");
        assertEquals(CpuView.SEQUENCE_UNKNOWN, v.switches());
        assertTrue(v.cpu() >= 0, "freed: sched_getcpu");
        ScratchRegion second = allocator.allocate();
        second.set(HeaderField.MIGRATIONS, 11, MemoryOrder.OPAQUE);
        registered.set(second);
        assertEquals(11, v.migrations(), "re-bound to the thread's new region");
        second.close();
    }

    @Test
    void eachThreadHasItsOwnView() throws Exception {
        CpuSource source = CpuSource.regions("test", () -> null);
        CpuView mine = source.currentView();
        assertSame(mine, source.currentView());
        AtomicReference<CpuView> other = new AtomicReference<>();
        Thread t = new Thread(() -> other.set(source.currentView()));
        t.start();
        t.join();
        assertNotSame(mine, other.get());
        assertEquals("test", source.name());
    }

    @Test
    void regionsRefusesNullArguments() {
        assertEquals("lookup", assertThrows(NullPointerException.class, () -> CpuSource.regions("x", null)).getMessage());
        assertEquals("name", assertThrows(NullPointerException.class, () -> CpuSource.regions(null, () -> null)).getMessage());
    }
}
