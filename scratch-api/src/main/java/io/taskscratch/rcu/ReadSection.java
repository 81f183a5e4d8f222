package io.taskscratch.rcu;

/**
 * A read-side section as a try-with-resources resource: {@code try (var s = rcu.read(f)) { ... }}.
 * There is one instance per thread, domain and flavor, created when the thread first reads, so
 * entering a section this way does not allocate; it also finds the thread's reader record once
 * instead of twice. A hot loop on one thread may keep the instance
 * ({@link Rcu#section(Flavor)}) and call {@link #enter()} and {@link #close()} with no lookup
 * at all. Use it only on the thread it belongs to.
 */
public final class ReadSection implements AutoCloseable {
    private final Rcu rcu;
    private final Reader reader;
    private final Flavor flavor;

    ReadSection(Rcu rcu, Reader reader, Flavor flavor) {
        this.rcu = rcu;
        this.reader = reader;
        this.flavor = flavor;
    }

    /** The flavor of this section. */
    public Flavor flavor() {
        return flavor;
    }

    /**
     * Enters the section ({@link Rcu#readLock(Flavor)} without the lookup).
     *
     * @return this, for try-with-resources
     * @throws IllegalStateException on a thread other than the one this instance belongs to
     */
    public ReadSection enter() {
        checkOwner("enter");
        rcu.enter(reader, flavor);
        return this;
    }

    /**
     * Leaves the section ({@link Rcu#readUnlock(Flavor)} without the lookup).
     *
     * @throws IllegalStateException when the thread is not in a section of this flavor, or on
     *                               a thread other than the one this instance belongs to
     */
    @Override
    public void close() {
        checkOwner("close");
        rcu.leave(reader, flavor);
    }

    private void checkOwner(String op) {
        if (reader.thread != Thread.currentThread()) {
            throw new IllegalStateException(op + "() of a " + flavor + " section of thread \"" + reader.thread.getName()
                    + "\" called on thread \"" + Thread.currentThread().getName() + "\"");
        }
    }
}
