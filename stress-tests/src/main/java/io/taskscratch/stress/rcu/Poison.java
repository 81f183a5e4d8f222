package io.taskscratch.stress.rcu;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Use-after-free detector for one object: {@link #free()} poisons it and counts frees;
 * {@link #use} records a violation when the object is touched after it was freed.
 */
final class Poison {
    private final AtomicInteger frees = new AtomicInteger();
    private volatile boolean poisoned;

    /** Frees (poisons) the object. */
    void free() {
        poisoned = true;
        frees.incrementAndGet();
    }

    /** Touches the object; counts a violation in {@code uaf} if it was freed. */
    void use(AtomicInteger uaf) {
        if (poisoned) {
            uaf.incrementAndGet();
        }
    }

    /** How many times the object was freed. */
    int frees() {
        return frees.get();
    }
}
