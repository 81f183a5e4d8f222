package io.taskscratch.percpu;

import java.util.Arrays;

/**
 * The shared layer behind the per-CPU lists of a {@link PerCpuPool} (tcmalloc's transfer cache):
 * a bounded stack of objects under one monitor, moved in batches between it and the lists.
 */
final class TransferCache {
    private final Object[] items; // guarded by this
    private int count; // guarded by this

    TransferCache(int capacity) {
        this.items = new Object[capacity];
    }

    /** Moves up to {@code max} objects from the top of this stack to {@code dst[at..]}; returns how many. */
    synchronized int take(Object[] dst, int at, int max) {
        int k = Math.min(max, count);
        int from = count - k;
        System.arraycopy(items, from, dst, at, k);
        Arrays.fill(items, from, count, null);
        count = from;
        return k;
    }

    /**
     * Moves up to {@code max} objects from the top of the stack {@code src[..top)} here, as many as
     * there is room for; nulls them in {@code src} and returns how many.
     */
    synchronized int give(Object[] src, int top, int max) {
        int k = Math.min(max, items.length - count);
        System.arraycopy(src, top - k, items, count, k);
        Arrays.fill(src, top - k, top, null);
        count += k;
        return k;
    }

    /** One object, or null if empty. */
    synchronized Object takeOne() {
        if (count == 0) {
            return null;
        }
        Object o = items[--count];
        items[count] = null;
        return o;
    }

    /** Keeps {@code o} if there is room; returns whether it did. */
    synchronized boolean giveOne(Object o) {
        if (count == items.length) {
            return false;
        }
        items[count++] = o;
        return true;
    }

    synchronized int size() {
        return count;
    }

    int capacity() {
        return items.length;
    }
}
