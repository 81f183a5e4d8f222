package io.taskscratch.rcu;

/**
 * A read-side section as a try-with-resources resource: {@code try (var s = rcu.read(f)) { ... }}.
 * {@link Rcu#read(Flavor)} hands out one instance per thread, domain and flavor, created when
 * the thread first reads, so entering a section this way does not allocate. Close it on the
 * thread that opened it.
 */
public final class ReadSection implements AutoCloseable {
    private final Rcu rcu;
    private final Flavor flavor;

    ReadSection(Rcu rcu, Flavor flavor) {
        this.rcu = rcu;
        this.flavor = flavor;
    }

    /** The flavor of this section. */
    public Flavor flavor() {
        return flavor;
    }

    /** Leaves the section: {@link Rcu#readUnlock(Flavor)}. */
    @Override
    public void close() {
        rcu.readUnlock(flavor);
    }
}
