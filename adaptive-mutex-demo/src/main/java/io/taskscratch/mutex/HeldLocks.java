package io.taskscratch.mutex;

/**
 * One task's held-locks table for resilient mode (rqspinlock's per-CPU {@code rqspinlock_held}):
 * the locks it holds, in acquisition order, plus, on top, the lock it is currently trying to
 * acquire. Only the owning task writes it; any task may read it (deadlock detection reads the
 * lock owner's table), so implementations publish entries with release stores and the count
 * last on push / first on remove.
 *
 * <p>The table has {@link #CAPACITY} shared slots holding the bottom of the task's lock stack.
 * {@link #count()} keeps counting beyond that (the nesting depth), but entries past the
 * capacity are invisible to other tasks, so an ABBA deadlock in which either side's wanted lock
 * sits past the capacity cannot be detected and ends in TIMEOUT instead, as in the kernel.
 *
 * <p>The in-heap implementation is {@link HeapHeldLocks}; the table can equally live in the
 * task's scratch region, where other tasks (and tools) can read it.
 */
public interface HeldLocks {
    /** Recorded entries per task, as {@code RES_NR_HELD} in the kernel. */
    int CAPACITY = 31;

    /** Nesting depth: entries pushed and not removed (may exceed {@link #CAPACITY}). Acquire read. */
    int count();

    /**
     * The entry at {@code index} (acquire read); null if none or at or past the capacity.
     *
     * @param index 0 is the oldest entry
     * @return the lock recorded there, or null
     */
    Object entry(int index);

    /**
     * Records {@code lock} on top (only the owning task calls this).
     *
     * @param lock the lock being acquired
     */
    void push(Object lock);

    /**
     * Removes the topmost entry equal to {@code lock} (only the owning task calls this). LIFO
     * release removes the top entry; an out-of-order release shifts the entries above it down.
     *
     * @param lock the lock released or given up
     */
    void remove(Object lock);

    /**
     * Whether {@code lock} is among the first {@code limit} recorded entries.
     *
     * @param lock  the lock to look for
     * @param limit how many entries to search from the bottom (clamped to the recorded ones)
     * @return true if found
     */
    default boolean contains(Object lock, int limit) {
        int n = Math.min(limit, Math.min(count(), CAPACITY));
        for (int i = 0; i < n; i++) {
            if (entry(i) == lock) {
                return true;
            }
        }
        return false;
    }

    /**
     * Supplies the calling task's table.
     */
    @FunctionalInterface
    interface Provider {
        /** The table of the task calling this method (never null). */
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
    }
}

/** Holder of {@link HeldLocks.Provider#perThread()}'s tables. */
final class PerThreadTables {
    private static final ThreadLocal<HeldLocks> TABLES = ThreadLocal.withInitial(HeapHeldLocks::new);
    static final HeldLocks.Provider PROVIDER = TABLES::get;

    private PerThreadTables() {
    }
}
