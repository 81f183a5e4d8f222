package io.taskscratch.rcu;

/**
 * One thread's read-side state in one {@link Rcu} domain. Only the owning thread writes
 * {@link #states}; writers read it while scanning the registry.
 *
 * <p>Each state word is {@code epoch << NEST_BITS | nesting}: zero when the thread is outside
 * any section of that flavor, otherwise the grace-period number the outermost section saw on
 * entry and the nesting depth.
 */
final class Reader {
    /** Bits of a state word that hold the nesting depth. */
    static final int NEST_BITS = 20;
    /** Mask of the nesting depth in a state word. */
    static final long NEST_MASK = (1L << NEST_BITS) - 1;

    final Thread thread;
    /** State word per {@link Flavor#ordinal()}, accessed through {@code Rcu.STATE}. */
    final long[] states = new long[Flavor.values().length];
    /** The preallocated guards {@link Rcu#read} returns, per flavor. */
    final ReadSection[] guards;

    Reader(Rcu rcu, Thread thread) {
        this.thread = thread;
        Flavor[] flavors = Flavor.values();
        guards = new ReadSection[flavors.length];
        for (Flavor f : flavors) {
            guards[f.ordinal()] = new ReadSection(rcu, this, f);
        }
    }

    static int nesting(long state) {
        return (int) (state & NEST_MASK);
    }

    static long epoch(long state) {
        return state >>> NEST_BITS;
    }
}
