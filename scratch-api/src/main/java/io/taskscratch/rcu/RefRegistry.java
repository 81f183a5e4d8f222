package io.taskscratch.rcu;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A keyed table of {@link RefCounted} objects with the uprobe lookup rules: a lookup takes a
 * reference only if the entry is not dying; the entry's last release removes it from the table;
 * an insert that finds a dying entry replaces it instead of reviving it; and lookups without a
 * reference ({@link #peek}) are allowed only inside a read section, so the entry's free (queued
 * after its removal) waits for them.
 *
 * @param <K> key type
 * @param <V> entry type
 */
public final class RefRegistry<K, V extends RefCounted> {
    private final ConcurrentHashMap<K, V> table = new ConcurrentHashMap<>();
    private final Rcu rcu;
    private final Flavor peekFlavor;

    /**
     * An empty table.
     *
     * @param rcu        domain whose sections {@link #peek} requires; entries must be freed through it
     *                   (their {@link GraceTracker}'s domain)
     * @param peekFlavor flavor of those sections; with {@link Flavor#TASKS_TRACE}, every entry's
     *                   tracker is {@linkplain GraceTracker#markSleepable() marked sleepable}
     */
    public RefRegistry(Rcu rcu, Flavor peekFlavor) {
        this.rcu = Objects.requireNonNull(rcu, "rcu");
        this.peekFlavor = Objects.requireNonNull(peekFlavor, "peekFlavor");
    }

    /** A new reference to the live entry for {@code key}, or {@code null} if there is none or it is dying. */
    public V acquire(K key) {
        V v = table.get(key);
        return v != null && v.tryAcquire() ? v : null;
    }

    /**
     * A new reference to the live entry for {@code key}; when there is none or it is dying, a
     * fresh entry from {@code factory} (holding the one reference returned) takes its place.
     * {@code factory} runs inside the table's per-key lock: keep it short and non-blocking.
     *
     * @throws IllegalArgumentException when the new entry's tracker uses another domain
     */
    public V acquireOrCreate(K key, Function<? super K, ? extends V> factory) {
        Objects.requireNonNull(factory, "factory");
        return table.compute(key, (k, old) -> {
            if (old != null && old.tryAcquire()) {
                return old;
            }
            V fresh = Objects.requireNonNull(factory.apply(k), "factory returned null");
            if (fresh.lifetime().rcu() != rcu) {
                throw new IllegalArgumentException("entry for " + k + " is freed through rcu domain '"
                        + fresh.lifetime().rcu().name() + "', the registry's is '" + rcu.name() + "'");
            }
            if (peekFlavor == Flavor.TASKS_TRACE) {
                fresh.lifetime().markSleepable(); // sleepable peekers may see it: free after both grace periods
            }
            fresh.linkTo(this, k);
            return fresh;
        });
    }

    /**
     * The entry for {@code key} without taking a reference (it may be dying). Its memory stays
     * valid until the caller's section ends.
     *
     * @throws IllegalStateException when the caller is not in a read section of the registry's flavor
     */
    public V peek(K key) {
        if (!rcu.inReadSection(peekFlavor)) {
            throw new IllegalStateException("peek(" + key + ") on thread \"" + Thread.currentThread().getName()
                    + "\" outside a " + peekFlavor + " read section of rcu domain '" + rcu.name() + "'");
        }
        return table.get(key);
    }

    /** Number of entries, dying ones included. */
    public int size() {
        return table.size();
    }

    void unlink(Object key, RefCounted v) {
        table.remove(key, v); // no-op when a re-insert has already replaced the dying entry
    }
}
