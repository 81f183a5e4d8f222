package io.taskscratch.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.region.HeaderSnapshot;
import io.taskscratch.region.Key;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriterTest {
    @Test
    void pinnedWriterAlwaysLands() {
        RegionLayout layout = RegionLayout.defaults();
        Key k = layout.createKey("prio", 4);
        TaskHandle a = TaskHandle.simulated("a");
        TaskHandle b = TaskHandle.simulated("b");
        ScratchRegion r = RegionAllocator.create(layout, PinMode.PINNED).allocate(a);
        PinnedWriter w = new PinnedWriter();
        WriteContext fromB = new WriteContext(b, WriteContext.Kind.INTERRUPT);
        assertTrue(w.switchIn(fromB, r, 3, 100, true));
        assertEquals(new HeaderSnapshot(2, 1, true, 3, 1, 100, 1, 0), r.snapshot());
        assertTrue(w.switchOut(WriteContext.task(a), r, 250, true));
        assertEquals(new HeaderSnapshot(4, 1, false, 3, 2, 250, 1, 1), r.snapshot());
        assertTrue(w.setOnCpu(fromB, r, true));
        assertTrue(r.onCpu());
        assertTrue(w.putInt(fromB, r, k, 9));
        assertEquals(9, r.getInt(k, MemoryOrder.PLAIN));
        assertEquals(new WriterStats(4, 4, 0, 0), w.stats());
        r.close();
    }

    @Test
    void lossyWriterFailsWithEpermAndEfaultAndKeepsStaleValues() {
        TaskHandle owner = TaskHandle.simulated("owner");
        TaskHandle other = TaskHandle.simulated("other");
        RegionAllocator alloc = RegionAllocator.create(RegionLayout.defaults(), PinMode.UNPINNED);
        ScratchRegion r = alloc.allocate(owner);
        ResidencyModel residency = new ResidencyModel(1);
        LossyWriter w = new LossyWriter(residency);
        WriteContext self = WriteContext.task(owner);
        assertTrue(w.switchIn(self, r, 1, 10, false));
        assertFalse(w.switchOut(WriteContext.task(other), r, 20, false), "not current's memory");
        assertFalse(w.switchOut(new WriteContext(owner, WriteContext.Kind.INTERRUPT), r, 20, false));
        assertFalse(w.switchOut(new WriteContext(owner, WriteContext.Kind.EXITING), r, 20, false));
        assertTrue(residency.evict(r));
        assertFalse(w.switchOut(self, r, 30, true), "page not resident");
        assertTrue(r.snapshot().onCpu(), "the reader keeps the stale on_cpu");
        residency.touch(r);
        assertTrue(w.switchOut(self, r, 40, true));
        assertFalse(r.onCpu());
        assertEquals(new WriterStats(6, 2, 1, 3), w.stats());
        ScratchRegion unowned = alloc.allocate();
        assertFalse(w.setOnCpu(self, unowned, true));
        r.close();
        unowned.close();
    }

    @Test
    void pressureIsSeededAndNeverEvictsPinnedPages() {
        RegionLayout big = RegionLayout.builder().dynamicBudget(2000).build();
        RegionAllocator unpinned = RegionAllocator.create(big, PinMode.UNPINNED);
        RegionAllocator pinned = RegionAllocator.create(big, PinMode.PINNED);
        List<ScratchRegion> regions = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            regions.add(unpinned.allocate());
            regions.add(pinned.allocate());
        }
        ResidencyModel m1 = new ResidencyModel(42);
        ResidencyModel m2 = new ResidencyModel(42);
        List<Boolean> s1 = new ArrayList<>();
        List<Boolean> s2 = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            m1.applyPressure(regions, 0.3);
            m2.applyPressure(regions, 0.3);
            for (ScratchRegion r : regions) {
                s1.add(m1.isResident(r));
                s2.add(m2.isResident(r));
            }
        }
        assertEquals(s1, s2, "same seed, same evictions");
        assertTrue(m1.evictedPages() > 0);
        for (ScratchRegion r : regions) {
            if (r.isPinned()) {
                assertTrue(m1.isResident(r));
                assertFalse(m1.evict(r));
            }
        }
        m1.applyPressure(regions, 1.0);
        assertEquals(unpinned.stats().slabs(), m1.evictedPages(), "full pressure evicts every unpinned page");
        assertTrue(ResidencyModel.probe(regions.get(1)), "an mlocked page is resident for mincore");
        regions.forEach(ScratchRegion::close);
    }
}
