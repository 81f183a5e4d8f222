package io.taskscratch.stress.rcu;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Use-after-free detector for one object: {@link #free()} poisons it and counts frees;
 * {@link #use} records a violation when the object is touched after it was freed. Public: the
 * mutex tests use it too.
 */
public final class Poison {
    private final AtomicInteger frees = new AtomicInteger();
    private volatile boolean poisoned;

    /** Frees (poisons) the object. */
    public void free() {
        poisoned = true;
        frees.incrementAndGet();
    }

    /** Touches the object; counts a violation in {@code uaf} if it was freed. */
    public void use(AtomicInteger uaf) {
        if (poisoned) {
            uaf.incrementAndGet();
        }
    }

    /** How many times the object was freed. */
    public int frees() {
        return frees.get();
    }
}
