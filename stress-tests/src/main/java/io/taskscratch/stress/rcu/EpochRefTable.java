package io.taskscratch.stress.rcu;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The first uprobe refcount rework (seed 003, v1): a 64-bit count whose upper half is an epoch
 * bumped by every get and put, a lookup that increments under the tree lock even from zero, a
 * put that re-checks the count under the write lock to pick the destroyer, and an eager free.
 * It picks one destroyer but lets the losing put read the object after the winner freed it
 * (Masami Hiramatsu's catch). Kept only as the broken twin's implementation.
 */
final class EpochRefTable {
    static final long GET = (1L << 32) | 1L;
    static final long PUT = 0xffffffffL;

    /** One entry. */
    static final class Entry {
        final AtomicLong ref = new AtomicLong(GET);
        final Poison poison = new Poison();
        final String key;

        Entry(String key) {
            this.key = key;
        }
    }

    private final ReentrantReadWriteLock treeLock = new ReentrantReadWriteLock();
    private final Map<String, Entry> tree = new HashMap<>();

    /** find_uprobe: under the read lock, increments whatever the count. */
    Entry find(String key) {
        treeLock.readLock().lock();
        try {
            Entry e = tree.get(key);
            if (e != null) {
                e.ref.addAndGet(GET);
            }
            return e;
        } finally {
            treeLock.readLock().unlock();
        }
    }

    /** insert_uprobe: returns the existing entry with a new reference, or inserts a new one. */
    Entry findOrInsert(String key) {
        treeLock.writeLock().lock();
        try {
            Entry e = tree.get(key);
            if (e != null) {
                e.ref.addAndGet(GET);
                return e;
            }
            Entry fresh = new Entry(key);
            tree.put(key, fresh);
            return fresh;
        } finally {
            treeLock.writeLock().unlock();
        }
    }

    /**
     * put_uprobe; returns whether this call destroyed the entry. {@code uaf} counts reads of
     * freed memory.
     */
    boolean put(Entry e, AtomicInteger uaf) {
        long v = e.ref.addAndGet(PUT);
        if ((int) v != 0) {
            return false;
        }
        // The window of the race: this CPU dropped the count to zero and has not locked yet;
        // the other may get (0 -> 1), put (1 -> 0, newer epoch), win the destroy and kfree.
        Delay.spin();
        boolean destroy;
        treeLock.writeLock().lock();
        try {
            e.poison.use(uaf); // atomic64_read(&uprobe->ref) on memory the winner may have freed
            destroy = e.ref.get() == v;
            if (destroy) {
                tree.remove(e.key, e);
            }
        } finally {
            treeLock.writeLock().unlock();
        }
        if (destroy) {
            e.poison.free(); // kfree(uprobe): eager, no grace period
        }
        return destroy;
    }

    /** Number of entries in the tree. */
    int size() {
        treeLock.readLock().lock();
        try {
            return tree.size();
        } finally {
            treeLock.readLock().unlock();
        }
    }
}
