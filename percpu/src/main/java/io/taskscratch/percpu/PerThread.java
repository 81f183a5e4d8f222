package io.taskscratch.percpu;

import java.util.function.Supplier;

/**
 * A per-thread value for the per-CPU structures' hot paths: a direct-mapped cache indexed by
 * thread id in front of a {@link ThreadLocal}, because a {@code ThreadLocal} lookup costs more
 * than the single region load it would guard.
 *
 * <p>Implementation overview. Each thread's value lives in an immutable {@link Entry} (its thread
 * id and the value), kept by a {@code ThreadLocal}. {@link #get()} first looks at
 * {@code entries[threadId mod ENTRIES]}: if the entry there carries the caller's id, that is the
 * caller's value (thread ids are never reused); otherwise the caller takes its entry from the
 * {@code ThreadLocal} and stores it in that cache slot, evicting whichever thread was there.
 *
 * <p>Invariants. A thread only ever returns its own value: an entry is matched by the id it was
 * created for, and entries never change. Memory ordering: the cache slots are read and written
 * with plain accesses. A reference read never tears, and an entry's fields are final, so an entry
 * read through this race is seen fully built; a slot holding another thread's (or a stale) entry
 * only sends the caller to the {@code ThreadLocal}; a thread sees its own store in program order.
 * The cache keeps at most {@value #ENTRIES} values reachable, including those of threads that
 * have ended, until another thread takes their slot.
 *
 * @param <T> the value's type
 */
final class PerThread<T> {
    /** Cache slots, a power of two: live threads whose ids differ modulo it never evict each other. */
    static final int ENTRIES = 1024;
    private static final int MASK = ENTRIES - 1;

    /** One thread's value, tagged with its thread id. */
    private static final class Entry<T> {
        final long threadId;
        final T value;

        Entry(long threadId, T value) {
            this.threadId = threadId;
            this.value = value;
        }
    }

    private final Entry<?>[] entries = new Entry<?>[ENTRIES]; // plain reads and writes: see the overview
    private final ThreadLocal<Entry<T>> owned;

    /** @param initial makes the calling thread's value on its first {@link #get()} */
    PerThread(Supplier<? extends T> initial) {
        this.owned = ThreadLocal.withInitial(() -> new Entry<>(Thread.currentThread().threadId(), initial.get()));
    }

    /** The calling thread's value, made by {@code initial} on its first call. */
    @SuppressWarnings("unchecked")
    T get() {
        long id = Thread.currentThread().threadId();
        int slot = (int) id & MASK;
        Entry<?> e = entries[slot];
        if (e != null && e.threadId == id) {
            return (T) e.value;
        }
        Entry<T> mine = owned.get();
        entries[slot] = mine;
        return mine.value;
    }
}
