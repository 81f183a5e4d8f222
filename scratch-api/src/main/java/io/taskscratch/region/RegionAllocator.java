package io.taskscratch.region;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.internal.GracePeriods;
import io.taskscratch.internal.os.Libc;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.task.TaskHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carves {@link ScratchRegion}s out of slabs of pinned pages.
 *
 * <p>Implementation overview. A slab is one OS page ({@link Libc#pageSize()}, never a literal),
 * page-aligned, in its own shared arena, prefaulted by a store to every page and, in
 * {@link PinMode#PINNED} mode, {@code mlock}ed. It holds {@code pageSize / stride} regions at
 * multiples of the layout's stride (a cache line or more), so no region crosses a page
 * boundary and no two regions share a cache line. With the default 64-byte layout a 4 KiB page
 * holds 64 regions: 1 000 threads pin at most 16 pages. A freed region's slot is zeroed and
 * handed out again only after a grace period; a slab left empty is unlocked and freed, except
 * one kept as a spare so register/unregister cycles do not mlock/munlock every time.
 */
public final class RegionAllocator {
    private static final AtomicLong NEXT_SLAB_ID = new AtomicLong(1);
    private static final AtomicLong NEXT_REGION_ID = new AtomicLong(1);

    private final RegionLayout layout;
    private final PinMode mode;
    private final MemoryLocker locker;
    private final PageSource pageSource;
    private final int perSlab;
    private final List<Slab> slabs = new ArrayList<>(); // guarded by this
    private int live; // guarded by this
    private int pending; // guarded by this

    /** Allocation counters: how many pages are pinned and how many regions exist. */
    public record Stats(int slabs, int pinnedPages, int liveRegions, int awaitingGracePeriod) {
    }

    /** Where a slab's page comes from; a seam so tests can make native allocation fail. */
    @FunctionalInterface
    interface PageSource {
        MemorySegment allocate(Arena arena, long pageSize);
    }

    private RegionAllocator(RegionLayout layout, PinMode mode, MemoryLocker locker, PageSource pageSource) {
        this.layout = Objects.requireNonNull(layout, "layout");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.locker = Objects.requireNonNull(locker, "locker");
        this.pageSource = Objects.requireNonNull(pageSource, "pageSource");
        this.perSlab = layout.regionsPerPage();
    }

    /** An allocator whose pinned slabs use the real {@code mlock(2)}. */
    public static RegionAllocator create(RegionLayout layout, PinMode mode) {
        return create(layout, mode, MemoryLocker.system());
    }

    /** An allocator with an injected memory locker (tests simulate mlock failures with it). */
    public static RegionAllocator create(RegionLayout layout, PinMode mode, MemoryLocker locker) {
        return create(layout, mode, locker, (arena, pageSize) -> arena.allocate(pageSize, pageSize));
    }

    /** An allocator with injected pinning and page allocation (tests simulate ENOMEM with it). */
    static RegionAllocator create(RegionLayout layout, PinMode mode, MemoryLocker locker, PageSource pageSource) {
        return new RegionAllocator(layout, mode, locker, pageSource);
    }

    /** The layout of every region. */
    public RegionLayout layout() {
        return layout;
    }

    /** Whether slabs are locked. */
    public PinMode pinMode() {
        return mode;
    }

    /** A region with no owner task. */
    public ScratchRegion allocate() {
        return allocate(null);
    }

    /**
     * A zeroed region (ABI version set) for {@code owner} (may be {@code null}).
     *
     * @throws ScratchException ENOMEM if no memory, or if locking a new slab fails (ENOMEM, EPERM or
     *                          EAGAIN, with a message naming RLIMIT_MEMLOCK and how to raise it)
     */
    public synchronized ScratchRegion allocate(TaskHandle owner) {
        Slab slab = null;
        for (Slab s : slabs) {
            if (s.used.cardinality() < perSlab) {
                slab = s;
                break;
            }
        }
        if (slab == null) {
            slab = newSlab();
            slabs.add(slab);
        }
        int slot = slab.used.nextClearBit(0);
        slab.used.set(slot);
        live++;
        return new ScratchRegion(this, slab, slot, NEXT_REGION_ID.getAndIncrement(), owner);
    }

    /** The current counters; {@code pinnedPages} counts pages of mlocked slabs. */
    public synchronized Stats stats() {
        int pinned = 0;
        for (Slab s : slabs) {
            if (s.pinned) {
                pinned++;
            }
        }
        return new Stats(slabs.size(), pinned, live, pending);
    }

    private Slab newSlab() {
        long pageSize = Libc.pageSize();
        Arena arena = Arena.ofShared();
        MemorySegment pages;
        try {
            pages = pageSource.allocate(arena, pageSize);
        } catch (OutOfMemoryError e) {
            arena.close();
            throw new ScratchException(Errno.ENOMEM, "slab of " + pageSize + " bytes for " + layout + ": out of memory", e);
        }
        // Prefault: allocate() zero-fills, but a store per page makes the intent explicit.
        for (long off = 0; off < pages.byteSize(); off += pageSize) {
            pages.set(ValueLayout.JAVA_BYTE, off, (byte) 0);
        }
        boolean pinned = false;
        if (mode == PinMode.PINNED) {
            int err = locker.lock(pages);
            if (err != 0) {
                arena.close();
                throw pinFailure(err, pageSize);
            }
            pinned = true;
        }
        return new Slab(NEXT_SLAB_ID.getAndIncrement(), arena, pages, pinned);
    }

    static ScratchException pinFailure(int err, long bytes) {
        Errno errno = switch (err) {
            case 1 -> Errno.EPERM;
            case 11 -> Errno.EAGAIN;
            default -> Errno.ENOMEM;
        };
        long[] limit = Libc.memlockLimit();
        String current = limit == null ? "unknown (getrlimit failed)"
                : "soft " + limitText(limit[0]) + ", hard " + limitText(limit[1]);
        return new ScratchException(errno, "mlock of a " + bytes + "-byte slab failed (errno " + err + "): RLIMIT_MEMLOCK is "
                + current + ". Raise it with `ulimit -l <KiB>` or `ulimit -l unlimited` in the launching shell, a"
                + " `<user> - memlock <KiB>` line in /etc/security/limits.conf, LimitMEMLOCK= in a systemd unit,"
                + " or grant CAP_IPC_LOCK; or create the allocator with PinMode.UNPINNED (regions then report"
                + " isPinned() == false and may be evicted)");
    }

    private static String limitText(long v) {
        return v == Libc.RLIM_INFINITY ? "unlimited" : v + " bytes";
    }

    /** Called by {@link ScratchRegion#close()}: the slot returns after a grace period. */
    void release(Slab slab, int slot) {
        synchronized (this) {
            live--;
            pending++;
        }
        GracePeriods.defer(Rcu.global(), () -> reclaim(slab, slot));
    }

    private synchronized void reclaim(Slab slab, int slot) {
        long stride = layout.stride();
        slab.pages.asSlice(slot * stride, stride).fill((byte) 0);
        slab.used.clear(slot);
        pending--;
        if (slab.used.isEmpty() && spareSlabs() > 1) {
            slabs.remove(slab);
            if (slab.pinned) {
                locker.unlock(slab.pages);
            }
            slab.arena.close();
        }
    }

    private int spareSlabs() {
        int n = 0;
        for (Slab s : slabs) {
            if (s.used.isEmpty()) {
                n++;
            }
        }
        return n;
    }

    /** One page of regions. */
    static final class Slab {
        final long id;
        final Arena arena;
        final MemorySegment pages;
        final boolean pinned;
        final BitSet used = new BitSet();

        Slab(long id, Arena arena, MemorySegment pages, boolean pinned) {
            this.id = id;
            this.arena = arena;
            this.pages = pages;
            this.pinned = pinned;
        }
    }
}
