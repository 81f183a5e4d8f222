package io.taskscratch.stress.region;

import io.taskscratch.region.HeaderField;
import io.taskscratch.region.HeaderSnapshot;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.stress.rcu.Delay;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A header writer whose updates are consistent by construction: update k sets
 * {@code cpu = k & 0xFFFF}, {@code switches = k}, {@code last_switch_ns = 3k} inside
 * {@code beginWrite/endWrite}, with busy work between the stores so that readers land
 * mid-update. Shared by {@link SeqlockSnapshotTest} and its broken twin, which differ only in
 * how the reader reads.
 */
final class HeaderUpdates {
    /**
     * One region for the fork (allocating a region per state would cost an arena each);
     * unpinned is enough, the seqcount does not depend on residency.
     */
    static final ScratchRegion REGION = RegionAllocator.create(RegionLayout.defaults(), PinMode.UNPINNED).allocate();
    private static final AtomicLong NEXT = new AtomicLong();

    private HeaderUpdates() {
    }

    /** One consistent update (plain stores are enough inside beginWrite/endWrite). */
    static void write() {
        long k = NEXT.incrementAndGet();
        int token = REGION.beginWrite();
        REGION.set(HeaderField.CPU, k & 0xFFFF, MemoryOrder.PLAIN);
        Delay.spin();
        REGION.set(HeaderField.SWITCHES, k, MemoryOrder.PLAIN);
        Delay.spin();
        REGION.set(HeaderField.LAST_SWITCH_NS, 3 * k, MemoryOrder.PLAIN);
        REGION.endWrite(token);
    }

    /** 1 if {@code s} is one update's values (or the initial zeros), 0 if it mixes two updates. */
    static int consistent(HeaderSnapshot s) {
        return (s.seq() & 1) == 0 && s.lastSwitchNs() == 3 * s.switches() && s.cpu() == (s.switches() & 0xFFFF) ? 1 : 0;
    }
}
