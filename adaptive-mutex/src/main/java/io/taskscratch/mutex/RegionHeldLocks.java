package io.taskscratch.mutex;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.platform.Platform;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.Key;
import io.taskscratch.region.RegionAbi;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

/**
 * {@link HeldLocks} in the task's scratch region, where other tasks (and tools that know the
 * layout) can read it: the user-space counterpart of rqspinlock's per-CPU
 * {@code struct rqspinlock_held}. The default table of resilient mode wherever the task has a
 * region ({@link HeldLocks.Provider#defaultFor}); {@link HeapHeldLocks} is the fallback.
 *
 * <h2>Layout</h2>
 * The table is the region layout's {@value #KEY_NAME} key, {@value #TABLE_SIZE} bytes, 8-byte
 * aligned, laid out like the kernel's struct on a 64-bit machine (offsets from the key's offset):
 * <table>
 *   <caption>held-locks table</caption>
 *   <tr><th>offset</th><th>field</th></tr>
 *   <tr><td>{@value #COUNT_OFFSET}</td><td>u32 count: nesting depth, may exceed {@value HeldLocks#CAPACITY}</td></tr>
 *   <tr><td>{@value #RESERVED_OFFSET}</td><td>u32 reserved, 0</td></tr>
 *   <tr><td>{@value #ENTRIES_OFFSET} + 8 i</td><td>u64 id of the i-th held lock ({@link AdaptiveMutex#id()}),
 *       i &lt; {@value HeldLocks#CAPACITY}; 0 = empty</td></tr>
 * </table>
 * Where the key sits in the region: {@link #reserve(RegionLayout.Builder)} makes it a static key
 * (as the first static key it starts right after the docs/design.md §3 header, at offset
 * {@value #OFFSET_AFTER_HEADER}); a layout without it gets it as a dynamic key from its budget on
 * first use (the task-local-data model), which in a layout without static keys, such as the
 * scheduler model's, is also offset {@value #OFFSET_AFTER_HEADER}. {@link #tableKey} tells.
 *
 * <h2>Implementation overview</h2>
 * The stack logic and the publication protocol are {@link AbstractHeldLocks}'s, shared with the
 * heap table: the owner stores an id with a release store before it publishes a larger count
 * with a release store, and rewrites the slots before it publishes a smaller count; readers load
 * the count with acquire, then the ids with acquire. Here those are FFM {@link VarHandle} accesses
 * to the region's memory; entries past the capacity stay in the owner's private overflow array,
 * as in the heap table. There is exactly one table object per region ({@link #of}): the overflow
 * array lives in it, so two objects writing one region would corrupt it.
 *
 * <p>Lifetime. A region is freed when its task exits (the scheduler model at the end of the run;
 * {@link #perThread(RegionAllocator)} when the thread exits) and its slot is handed to another
 * task only after a grace period of {@link Rcu#global()}, the domain {@link RegionAllocator}
 * retires slots in. A task reading another task's table (the ABBA check) therefore reads inside
 * a {@link Flavor#NORMAL} read-side section of that domain ({@link #enterRead()}). The table's
 * memory is a slice of the region's scoped segment, so a read after the region was freed throws
 * instead of touching the slot, recycled or not; such a read returns an empty table (count 0, ids
 * 0), which can only make a deadlock check miss (ending in TIMEOUT), never report a false
 * DEADLOCK. The owner never writes its table after its region is freed (it has exited); if it
 * did, the write would throw {@link IllegalStateException} naming the region.
 */
public final class RegionHeldLocks extends AbstractHeldLocks {
    /** The name of the table's key in the region layout. */
    public static final String KEY_NAME = "held_locks";
    /** u32 count, from the table's start. */
    public static final int COUNT_OFFSET = 0;
    /** u32 reserved (0), the padding before the first 8-byte id. */
    public static final int RESERVED_OFFSET = 4;
    /** First u64 lock id, from the table's start. */
    public static final int ENTRIES_OFFSET = 8;
    /** Bytes per id. */
    public static final int ENTRY_SIZE = 8;
    /** Bytes of the table: count, reserved, {@value HeldLocks#CAPACITY} ids. */
    public static final int TABLE_SIZE = ENTRIES_OFFSET + HeldLocks.CAPACITY * ENTRY_SIZE;
    /** The table's offset in the region when it is the layout's first key: right after the header. */
    public static final int OFFSET_AFTER_HEADER = RegionAbi.HEADER_SIZE;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    /**
     * The one table of each region. Weak keys, and a table does not reference its region (only
     * the segment, which references the region's arena), so entries go with their regions.
     */
    private static final Map<ScratchRegion, RegionHeldLocks> TABLES = new WeakHashMap<>(); // guarded by itself

    /** The table's bytes: a slice of the region's segment, so it shares the region's lifetime. */
    private final MemorySegment table;
    private final long regionId;

    private RegionHeldLocks(ScratchRegion region, Key key) {
        this.table = region.segment().asSlice(key.offset(), TABLE_SIZE);
        this.regionId = region.id();
    }

    /**
     * The held-locks table in {@code region}: the same object for every call with the same region.
     * The region's memory starts zeroed, so a new table is empty.
     *
     * @param region a live region
     * @return its table
     * @throws ScratchException EBADF if the region was freed; as {@link #tableKey} if its layout has
     *                          no room for the table
     */
    public static RegionHeldLocks of(ScratchRegion region) {
        Objects.requireNonNull(region, "region");
        Key key = tableKey(region.layout());
        if (region.isFreed()) {
            throw new ScratchException(Errno.EBADF, region + ": freed, it has no held-locks table");
        }
        synchronized (TABLES) {
            RegionHeldLocks t = TABLES.get(region);
            if (t == null) {
                t = new RegionHeldLocks(region, key);
                TABLES.put(region, t);
            }
            return t;
        }
    }

    /**
     * The table's key in {@code layout}: its static key if {@link #reserve} added one, else a
     * dynamic key created now from the layout's budget (the same key for every later call).
     *
     * @param layout a region layout
     * @return the key; {@link Key#offset()} is where the table sits in every region of the layout
     * @throws ScratchException ENOSPC or E2BIG if the dynamic budget has no room for
     *                          {@value #TABLE_SIZE} bytes; EINVAL if the layout has a
     *                          {@value #KEY_NAME} key of another size
     */
    public static Key tableKey(RegionLayout layout) {
        Key key = find(layout);
        if (key == null) {
            try {
                key = layout.createKey(KEY_NAME, TABLE_SIZE);
            } catch (ScratchException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
                key = layout.key(KEY_NAME); // another thread created it first
            }
        }
        if (key.size() != TABLE_SIZE) {
            throw new ScratchException(Errno.EINVAL, key + " in " + layout + ": the held-locks table needs "
                    + TABLE_SIZE + " bytes");
        }
        return key;
    }

    private static Key find(RegionLayout layout) {
        for (Key k : layout.keys()) {
            if (k.name().equals(KEY_NAME)) {
                return k;
            }
        }
        return null;
    }

    /**
     * Reserves the table as a static key of a layout being built; as the builder's first static
     * key it sits at offset {@value #OFFSET_AFTER_HEADER}.
     *
     * @param builder a layout builder
     * @return the builder
     * @throws ScratchException as {@link RegionLayout.Builder#staticKey}, e.g. EEXIST if reserved twice
     */
    public static RegionLayout.Builder reserve(RegionLayout.Builder builder) {
        return builder.staticKey(KEY_NAME, TABLE_SIZE);
    }

    /**
     * Tables in the regions of a platform's tasks, e.g. the scheduler model's
     * ({@code SchedScratch::regionOf}) or the kernel's. A task without a region (yet), or whose
     * region's layout has no room for the table, gets its heap table
     * ({@link HeldLocks.Provider#perThread()}). Each Java thread is bound to the table it first
     * gets from its region, so tasks must run on distinct Java threads (the native platform and
     * the scheduler model do).
     *
     * @param platform the platform whose {@link Platform#currentTask()} the resolver understands
     * @param resolver task to region
     * @return the provider
     */
    public static HeldLocks.Provider forTasks(Platform platform, RegionOwnerStateSource.RegionResolver resolver) {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(resolver, "resolver");
        ThreadLocal<HeldLocks> bound = new ThreadLocal<>();
        return () -> {
            HeldLocks t = bound.get();
            if (t == null) {
                ScratchRegion region = resolver.regionOf(platform.currentTask());
                if (region == null) {
                    return PerThreadTables.PROVIDER.current(); // not bound: the task may register a region later
                }
                t = fits(region.layout()) ? of(region) : PerThreadTables.PROVIDER.current();
                bound.set(t);
            }
            return t;
        };
    }

    private static boolean fits(RegionLayout layout) {
        try {
            tableKey(layout);
            return true;
        } catch (ScratchException noRoom) {
            return false;
        }
    }

    /**
     * Tables for Java threads that have no region: each thread gets a region of its own from
     * {@code allocator} on its first lock, freed when the thread exits (a {@link TaskHandle} exit
     * hook, run by the task reaper within {@value TaskHandle#REAP_INTERVAL_MS} ms of the exit).
     *
     * @param allocator where the regions come from; its layout must have room for the table
     * @return the provider
     * @throws ScratchException as {@link #tableKey} if the allocator's layout has no room
     */
    public static HeldLocks.Provider perThread(RegionAllocator allocator) {
        tableKey(allocator.layout()); // refuse a layout without room now, not at the first lock
        ThreadLocal<HeldLocks> tables = ThreadLocal.withInitial(() -> threadTable(allocator));
        return tables::get;
    }

    private static RegionHeldLocks threadTable(RegionAllocator allocator) {
        TaskHandle self = TaskHandle.current();
        ScratchRegion region = allocator.allocate(self);
        RegionHeldLocks table = of(region);
        self.attachExitHook(table, region::close); // the kernel frees task storage at exit; we free the region
        return table;
    }

    /** The id of the region the table lives in. */
    public long regionId() {
        return regionId;
    }

    /** Enters a {@link Flavor#NORMAL} read-side section of {@link Rcu#global()}: the region may be freed meanwhile. */
    @Override
    public void enterRead() {
        Rcu.global().readLock(Flavor.NORMAL);
    }

    @Override
    public void exitRead() {
        Rcu.global().readUnlock(Flavor.NORMAL);
    }

    // Readers: a freed region reads as an empty table. Acquire: see AbstractHeldLocks.

    @Override
    int loadCount() {
        try {
            return (int) INT.getAcquire(table, (long) COUNT_OFFSET);
        } catch (IllegalStateException freed) {
            return 0;
        }
    }

    @Override
    long loadSlot(int i) {
        try {
            return (long) LONG.getAcquire(table, slotOffset(i));
        } catch (IllegalStateException freed) {
            return EMPTY;
        }
    }

    // The owner: its region is alive while it runs; a use after free is a bug and throws.

    @Override
    int ownCount() {
        try {
            return (int) INT.getOpaque(table, (long) COUNT_OFFSET);
        } catch (IllegalStateException e) {
            throw afterFree(e);
        }
    }

    @Override
    void storeCount(int n) {
        try {
            INT.setRelease(table, (long) COUNT_OFFSET, n);
        } catch (IllegalStateException e) {
            throw afterFree(e);
        }
    }

    @Override
    long ownSlot(int i) {
        try {
            return (long) LONG.getOpaque(table, slotOffset(i));
        } catch (IllegalStateException e) {
            throw afterFree(e);
        }
    }

    @Override
    void storeSlot(int i, long lock) {
        try {
            LONG.setRelease(table, slotOffset(i), lock);
        } catch (IllegalStateException e) {
            throw afterFree(e);
        }
    }

    private static long slotOffset(int i) {
        return ENTRIES_OFFSET + (long) i * ENTRY_SIZE;
    }

    private IllegalStateException afterFree(IllegalStateException cause) {
        return new IllegalStateException("held-locks table in region #" + regionId + ": the region was freed", cause);
    }
}
