package io.taskscratch.stress.mutex;

import io.taskscratch.mutex.RegionHeldLocks;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A held-locks table in a scratch region for one jcstress state: the owner records lock A and
 * then lock B (what holding A and starting to acquire B leaves in the table); another thread
 * reads it as the ABBA check does. Shared by {@link RegionHeldLocksPublishTest} and its broken
 * twin, which differ only in how the owner writes.
 *
 * <p>Regions come from a pool: allocating one per state is cheap, but freeing one costs an arena
 * handshake, so the arbiter empties the table and returns its region instead.
 */
final class HeldTable {
    /** The ids the owner records (any non-zero values). */
    static final long A = 0xA;
    static final long B = 0xB;

    private static final RegionAllocator REGIONS = RegionAllocator.create(
            RegionHeldLocks.reserve(RegionLayout.builder()).build(), PinMode.UNPINNED);
    private static final ConcurrentLinkedQueue<ScratchRegion> POOL = new ConcurrentLinkedQueue<>();

    final ScratchRegion region;
    final RegionHeldLocks table;

    HeldTable() {
        ScratchRegion r = POOL.poll();
        region = r != null ? r : REGIONS.allocate();
        table = RegionHeldLocks.of(region);
    }

    /** The table's bytes at the documented offsets (for the broken writer). */
    MemorySegment bytes() {
        return region.segment().asSlice(RegionHeldLocks.tableKey(region.layout()).offset(), RegionHeldLocks.TABLE_SIZE);
    }

    /**
     * Reader: r1 = the count seen, r2 = 1 if every entry below it is the id recorded there
     * (A, then B), 0 if an entry below the count is still empty or wrong.
     */
    void read(II_Result r) {
        table.enterRead();
        try {
            int n = table.count();
            boolean ok = (n < 1 || table.entry(0) == A) && (n < 2 || table.entry(1) == B);
            r.r1 = n;
            r.r2 = ok ? 1 : 0;
        } finally {
            table.exitRead();
        }
    }

    /** Arbiter: empties the table (no overflow was used, so its bytes are all its state) and pools the region. */
    void recycle() {
        bytes().fill((byte) 0);
        POOL.offer(region);
    }
}
