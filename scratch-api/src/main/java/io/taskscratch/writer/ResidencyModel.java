package io.taskscratch.writer;

import io.taskscratch.internal.os.Libc;
import io.taskscratch.region.ScratchRegion;
import java.lang.foreign.MemorySegment;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Which pages of unpinned regions are resident, under deterministic simulated memory pressure:
 * {@link #applyPressure} evicts each distinct unpinned page with a given probability, drawn from
 * a seeded generator (same seed and calls, same evictions); {@link #touch} is the owner's own
 * access, which faults the page back in; pinned pages are never evicted. {@link #probe} asks the
 * real kernel ({@code mincore(2)}).
 */
public final class ResidencyModel {
    private final SplittableRandom random;
    private final Set<Long> evicted = new HashSet<>();

    /** A model with nothing evicted. */
    public ResidencyModel(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Whether the region's page is resident: always for pinned regions. */
    public synchronized boolean isResident(ScratchRegion region) {
        return region.isPinned() || !evicted.contains(region.pageId());
    }

    /**
     * Evicts each distinct page of the unpinned regions among {@code candidates}, in page-id
     * order, with probability {@code fraction}.
     *
     * @return the number of pages newly evicted
     */
    public synchronized int applyPressure(Collection<ScratchRegion> candidates, double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction " + fraction + ": must be in [0, 1]");
        }
        TreeSet<Long> pages = new TreeSet<>();
        for (ScratchRegion r : candidates) {
            if (!r.isPinned()) {
                pages.add(r.pageId());
            }
        }
        int n = 0;
        for (long page : pages) {
            if (random.nextDouble() < fraction && evicted.add(page)) {
                n++;
            }
        }
        return n;
    }

    /** Evicts the region's page unless it is pinned; returns whether it was evicted. */
    public synchronized boolean evict(ScratchRegion region) {
        return !region.isPinned() && evicted.add(region.pageId());
    }

    /** The owner touches its region: the page is faulted back in. */
    public synchronized void touch(ScratchRegion region) {
        evicted.remove(region.pageId());
    }

    /** How many pages are currently evicted. */
    public synchronized int evictedPages() {
        return evicted.size();
    }

    /** Real residency of the region's page by {@code mincore(2)}; {@code false} if the call fails. */
    public static boolean probe(ScratchRegion region) {
        long page = Libc.pageSize();
        long start = region.address() & -page;
        boolean[] r = Libc.mincore(MemorySegment.ofAddress(start).reinterpret(page));
        return r != null && r[0];
    }
}
