package io.taskscratch.sched;

import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Which CPUs hold a copy of each shared cache line that task code declared through
 * {@link SimPlatform#lineAccess}, and what an access costs: the model's cache coherence.
 *
 * <p>Implementation overview. Per line: the set of CPUs with a valid copy and the time until
 * which a transfer of it is in flight. A read by a CPU with a copy, or a write by the only CPU
 * with a copy, costs nothing; any other access transfers the line (a read fetches the last
 * writer's copy and leaves both CPUs sharing it; a write fetches or invalidates every other copy
 * and leaves the writer alone with it), which costs {@link CostProfile#lineTransferNs()} and
 * starts only when the line's previous transfer has finished (requests for one line are
 * serialised, as in a coherence directory). The first access to a line ever costs nothing (the
 * model has no memory hierarchy below the caches). Invariant: a line's holder set is never
 * empty once it exists.
 *
 * <p>Only the task holding the model's baton calls in, so plain fields suffice.
 */
final class CacheLines {
    /** Holders of one line and when its last transfer completes. */
    private static final class Line {
        final BitSet holders = new BitSet();
        long busyUntil;
    }

    /** Lines by the object that identifies them (identity, not equals: two equal words are two lines). */
    private final Map<Object, Line> lines = new IdentityHashMap<>();

    /**
     * Records an access by {@code cpu} at {@code now} and returns how long the access waits for the
     * line (0 when the CPU already has it as needed).
     *
     * @param line       the line's identity
     * @param write      whether the access writes
     * @param cpu        the accessing CPU
     * @param now        virtual time of the access
     * @param transferNs the cost of one transfer
     * @return virtual ns until the line is there
     */
    long access(Object line, boolean write, int cpu, long now, long transferNs) {
        Line l = lines.get(line);
        if (l == null) {
            l = new Line();
            l.holders.set(cpu);
            lines.put(line, l);
            return 0;
        }
        boolean has = l.holders.get(cpu);
        if (has && (!write || l.holders.cardinality() == 1)) {
            return 0;
        }
        if (write) {
            l.holders.clear();
        }
        l.holders.set(cpu);
        long done = Math.max(now, l.busyUntil) + transferNs;
        l.busyUntil = done;
        return done - now;
    }
}
