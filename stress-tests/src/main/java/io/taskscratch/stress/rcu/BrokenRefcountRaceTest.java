package io.taskscratch.stress.rcu;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Negative control for {@link RefcountRaceTest}: the same actors on the epoch-in-refcount table
 * with eager free ({@link EpochRefTable}); the losing put reads freed memory.
 */
@JCStressTest
@Outcome(id = {"1, 0, 0", "1, 1, 0"}, expect = ACCEPTABLE, desc = "one free, no use after free, lookup lost or won")
@Outcome(expect = FORBIDDEN, desc = "double or missing free, use after free, two destroyers or a leaked entry")
@State
public class BrokenRefcountRaceTest {
    private static final String KEY = "uprobe";

    private final EpochRefTable table = new EpochRefTable();
    private final EpochRefTable.Entry first = table.findOrInsert(KEY);
    private final AtomicInteger violations = new AtomicInteger();
    private final AtomicInteger firstDestroyers = new AtomicInteger();
    private volatile int found;
    private volatile EpochRefTable.Entry reinserted;

    /** The final put. */
    @Actor
    public void finalPut() {
        put(first);
    }

    /** get, use, put; then re-insert, use, put. */
    @Actor
    public void getPutReinsert() {
        EpochRefTable.Entry p = table.find(KEY);
        if (p != null) {
            found = 1;
            p.poison.use(violations);
            put(p);
        }
        EpochRefTable.Entry n = table.findOrInsert(KEY);
        n.poison.use(violations);
        reinserted = n;
        put(n);
    }

    private void put(EpochRefTable.Entry e) {
        if (table.put(e, violations) && e == first) {
            firstDestroyers.incrementAndGet();
        }
    }

    /** Grades (frees are eager here). */
    @Arbiter
    public void check(III_Result r) {
        EpochRefTable.Entry n = reinserted;
        int bad = violations.get() + (firstDestroyers.get() == 1 ? 0 : 1) + (table.size() == 0 ? 0 : 1)
                + (n != first && n.poison.frees() != 1 ? 1 : 0);
        r.r1 = first.poison.frees();
        r.r2 = found;
        r.r3 = bad;
    }
}
