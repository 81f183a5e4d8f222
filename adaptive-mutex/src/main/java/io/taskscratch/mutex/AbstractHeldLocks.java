package io.taskscratch.mutex;

import java.util.Arrays;

/**
 * The one semantics of a {@link HeldLocks} table, over storage that subclasses supply: a count
 * and {@link #CAPACITY} id slots that other tasks read ({@link HeapHeldLocks}: a heap array;
 * {@link RegionHeldLocks}: the task's scratch region).
 *
 * <p>Implementation overview. Entries nested deeper than the capacity go to a private overflow
 * array that only the owner reads, so the shared slots always hold exactly the bottom
 * {@code min(count, CAPACITY)} entries of the task's lock stack (an out-of-order release pulls
 * the first overflow entry down into the last slot). Ordering: the owner stores an entry
 * (release) before publishing a larger count (release), and publishes a smaller count only
 * after rewriting the slots, so a reader that loads the count with acquire and then an entry
 * sees an entry at least as new as that count. The owner reads its own words with opaque loads:
 * nobody else writes them.
 */
abstract class AbstractHeldLocks implements HeldLocks {
    /** Entries past the capacity, bottom first; owner-only, allocated on first overflow. */
    private long[] overflow;
    private int overflowSize;

    /** The count, acquire load (readers). */
    abstract int loadCount();

    /** The count, opaque load (the owner reads back its own store). */
    abstract int ownCount();

    /** Publishes the count, release store. */
    abstract void storeCount(int count);

    /** Slot {@code i} (in range), acquire load (readers). */
    abstract long loadSlot(int i);

    /** Slot {@code i} (in range), opaque load (the owner reads back its own store). */
    abstract long ownSlot(int i);

    /** Publishes slot {@code i} (in range), release store. */
    abstract void storeSlot(int i, long lock);

    @Override
    public int count() {
        return loadCount();
    }

    @Override
    public long entry(int index) {
        return index >= 0 && index < CAPACITY ? loadSlot(index) : EMPTY;
    }

    @Override
    public void push(long lock) {
        if (lock == EMPTY) {
            throw new IllegalArgumentException("lock id " + EMPTY + " marks an empty slot; lock ids are non-zero");
        }
        int n = ownCount();
        if (n < CAPACITY) {
            storeSlot(n, lock);
        } else {
            if (overflow == null) {
                overflow = new long[8];
            } else if (overflowSize == overflow.length) {
                overflow = Arrays.copyOf(overflow, overflowSize * 2);
            }
            overflow[overflowSize++] = lock;
        }
        storeCount(n + 1);
    }

    @Override
    public void remove(long lock) {
        int n = ownCount();
        if (n > CAPACITY) {
            for (int i = overflowSize - 1; i >= 0; i--) {
                if (overflow[i] == lock) {
                    removeOverflow(i);
                    storeCount(n - 1);
                    return;
                }
            }
        }
        int recorded = Math.min(n, CAPACITY);
        int at = recorded - 1;
        while (at >= 0 && ownSlot(at) != lock) {
            at--;
        }
        if (at < 0) {
            throw new IllegalStateException("held-locks table " + this + " does not hold lock #" + lock);
        }
        for (int i = at; i < recorded - 1; i++) {
            storeSlot(i, ownSlot(i + 1));
        }
        storeSlot(recorded - 1, n > CAPACITY ? removeOverflow(0) : EMPTY);
        storeCount(n - 1);
    }

    /** Removes and returns overflow entry {@code i}, keeping the others in order. */
    private long removeOverflow(int i) {
        long lock = overflow[i];
        System.arraycopy(overflow, i + 1, overflow, i, overflowSize - i - 1);
        overflowSize--;
        return lock;
    }

    @Override
    public String toString() {
        int n = count();
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append("[count=").append(n).append(':');
        for (int i = 0; i < Math.min(n, CAPACITY); i++) {
            sb.append(" #").append(entry(i));
        }
        return sb.append(']').toString();
    }
}
