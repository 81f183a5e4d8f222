package io.taskscratch.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import org.junit.jupiter.api.Test;

class RseqHintWriterTest {
    private static ScratchRegion region(TaskHandle owner) {
        return RegionAllocator.create(RegionLayout.defaults(), PinMode.UNPINNED).allocate(owner);
    }

    @Test
    void setsReliablyAndLosesEveryClearAtFullDropRate() {
        TaskHandle t = TaskHandle.simulated("t");
        ScratchRegion r = region(t);
        RseqHintWriter w = new RseqHintWriter(1.0, 1);
        WriteContext self = WriteContext.task(t);
        assertTrue(w.switchIn(self, r, 1, 10, false));
        assertFalse(w.switchOut(self, r, 20, true), "the clear is lost");
        assertTrue(r.onCpu(), "a preempted task still looks running");
        assertFalse(w.setOnCpu(self, r, false));
        assertTrue(w.setOnCpu(self, r, true));
        assertEquals(new WriterStats(4, 2, 2, 0), w.stats());
        r.close();
    }

    @Test
    void dropsAboutTheGivenShareAndTheSameForTheSameSeed() {
        TaskHandle t = TaskHandle.simulated("t");
        ScratchRegion r = region(t);
        int[] lost = new int[2];
        for (int run = 0; run < 2; run++) {
            RseqHintWriter w = new RseqHintWriter(0.25, 42);
            for (int i = 0; i < 4_000; i++) {
                w.switchIn(WriteContext.task(t), r, 0, i, false);
                lost[run] += w.switchOut(WriteContext.task(t), r, i, false) ? 0 : 1;
            }
        }
        assertEquals(lost[0], lost[1], "seeded");
        assertTrue(lost[0] > 850 && lost[0] < 1150, "about 25%: " + lost[0]);
        assertThrows(IllegalArgumentException.class, () -> new RseqHintWriter(1.5, 0));
        r.close();
    }

    @Test
    void migrationsCountOnlyWhereTheWriterMayWrite() {
        TaskHandle t = TaskHandle.simulated("t");
        ScratchRegion r = region(t);
        WriteContext remote = new WriteContext(t, WriteContext.Kind.INTERRUPT);
        PinnedWriter pinned = new PinnedWriter();
        assertTrue(pinned.migrated(remote, r));
        assertEquals(1, r.snapshot().migrations());
        assertEquals(0, r.snapshot().switches(), "a migration is not a switch");
        LossyWriter lossy = new LossyWriter(new ResidencyModel(1));
        assertFalse(lossy.migrated(remote, r), "probe-write from the balancer is not current's memory");
        assertEquals(new WriterStats(1, 0, 0, 1), lossy.stats());
        assertEquals(1, r.snapshot().migrations());
        r.close();
    }
}
