package io.taskscratch.mutex;

import io.taskscratch.platform.Platform;

/**
 * One task's held-locks table for resilient mode (rqspinlock's per-CPU {@code rqspinlock_held}):
 * the locks it holds, in acquisition order, plus, on top, the lock it is currently trying to
 * acquire. Entries are lock ids ({@link AdaptiveMutex#id()}, unique and never 0; {@link #EMPTY}
 * marks an empty slot), not references, so the table can live in off-heap memory such as the
 * task's scratch region, as rqspinlock records lock addresses. Only the owning task writes it;
 * any task may read it (deadlock detection reads the lock owner's table), so implementations
 * publish entries with release stores and the count last on push / first on remove.
 *
 * <p>The table has {@link #CAPACITY} shared slots holding the bottom of the task's lock stack.
 * {@link #count()} keeps counting beyond that (the nesting depth), but entries past the
 * capacity are invisible to other tasks, so an ABBA deadlock in which either side's wanted lock
 * sits past the capacity cannot be detected and ends in TIMEOUT instead, as in the kernel.
 *
 * <p>Two implementations with one semantics: {@link RegionHeldLocks} keeps the shared part in the
 * task's scratch region (the default wherever the task has one), {@link HeapHeldLocks} on the
 * Java heap (the fallback for tasks without a region).
 */
public interface HeldLocks {
    /** Recorded entries per task, as {@code RES_NR_HELD} in the kernel. */
    int CAPACITY = 31;
    /** The id of no lock: an empty slot. */
    long EMPTY = 0L;

    /**
     * Nesting depth: entries pushed and not removed (may exceed {@link #CAPACITY}). Acquire read;
     * 0 for a table whose memory was freed.
     *
     * @return the nesting depth
     */
    int count();

    /**
     * The entry at {@code index} (acquire read).
     *
     * @param index 0 is the oldest entry
     * @return the lock id recorded there, or {@link #EMPTY} if none, at or past the capacity, or
     *         the table's memory was freed
     */
    long entry(int index);

    /**
     * Records {@code lock} on top (only the owning task calls this).
     *
     * @param lock the id of the lock being acquired (not {@link #EMPTY})
     */
    void push(long lock);

    /**
     * Removes the topmost entry equal to {@code lock} (only the owning task calls this). LIFO
     * release removes the top entry; an out-of-order release shifts the entries above it down.
     *
     * @param lock the id of the lock released or given up
     * @throws IllegalStateException if the table does not hold {@code lock}
     */
    void remove(long lock);

    /**
     * Whether {@code lock} is among the first {@code limit} recorded entries.
     *
     * @param lock  the lock id to look for
     * @param limit how many entries to search from the bottom (clamped to the recorded ones)
     * @return true if found
     */
    default boolean contains(long lock, int limit) {
        int n = Math.min(limit, Math.min(count(), CAPACITY));
        for (int i = 0; i < n; i++) {
            if (entry(i) == lock) {
                return true;
            }
        }
        return false;
    }

    /**
     * Begins reading another task's table: its owner may exit meanwhile and the table's memory be
     * freed, so readers bracket their reads with this and {@link #exitRead()} (a read-side
     * section where the memory is reclaimed after a grace period). Default: nothing (heap memory).
     */
    default void enterRead() {
    }

    /** Ends the read begun with {@link #enterRead()}. */
    default void exitRead() {
    }

    /**
     * Supplies the calling task's table.
     */
    @FunctionalInterface
    interface Provider {
        /**
         * The table of the task calling this method.
         *
         * @return the caller's table (never null)
         */
        HeldLocks current();

        /**
         * One {@link HeapHeldLocks} per Java thread, shared by every lock that uses this
         * provider (deadlock detection needs all of a task's locks in one table, like the
         * kernel's per-CPU table). Works on the native platform and on any platform whose tasks
         * run on distinct Java threads.
         *
         * @return the JVM-wide per-thread provider
         */
        static Provider perThread() {
            return PerThreadTables.PROVIDER;
        }

        /**
         * What resilient mode uses unless told otherwise ({@link AdaptiveMutex.Builder#resilient()}):
         * with a {@link RegionOwnerStateSource} (the scheduler model's regions, the kernel's),
         * each task's table lives in its scratch region
         * ({@link RegionHeldLocks#forTasks(Platform, RegionOwnerStateSource.RegionResolver)});
         * otherwise, and for tasks without a region, the heap tables of {@link #perThread()}.
         *
         * @param platform the platform the locks run on
         * @param source   the locks' state source
         * @return the provider
         */
        static Provider defaultFor(Platform platform, OwnerStateSource source) {
            return source instanceof RegionOwnerStateSource regions
                    ? RegionHeldLocks.forTasks(platform, regions.resolver())
                    : perThread();
        }
    }
}

/** Holder of {@link HeldLocks.Provider#perThread()}'s tables. */
final class PerThreadTables {
    private static final ThreadLocal<HeldLocks> TABLES = ThreadLocal.withInitial(HeapHeldLocks::new);
    static final HeldLocks.Provider PROVIDER = TABLES::get;

    private PerThreadTables() {
    }
}
