package io.taskscratch.stress.rcu;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.GraceTracker;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.rcu.RefCounted;
import io.taskscratch.rcu.RefRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The uprobe refcount race (seed 003): one actor drops the last reference while the other looks
 * the object up, uses and drops it, then re-inserts the key. With increment-if-not-zero,
 * one destroyer and free after a grace period: the object is freed exactly once, nobody uses it
 * after the free, a re-insert that finds it dying replaces it, and the table ends empty.
 *
 * <p>Result: (frees of the first object, 1 if the lookup found it, violations).
 */
@JCStressTest
@Outcome(id = {"1, 0, 0", "1, 1, 0"}, expect = ACCEPTABLE, desc = "one free, no use after free, lookup lost or won")
@Outcome(expect = FORBIDDEN, desc = "double or missing free, use after free, two destroyers or a leaked entry")
@State
public class RefcountRaceTest {
    private static final Rcu RCU = Rcu.create("jcstress-refcount"); // lives as long as the fork
    private static final GraceTracker LIFETIME = new GraceTracker(RCU);
    private static final String KEY = "uprobe";

    private final RefRegistry<String, Probe> table = new RefRegistry<>(RCU, Flavor.NORMAL);
    private final Probe first = table.acquireOrCreate(KEY, k -> new Probe());
    private final AtomicInteger violations = new AtomicInteger();
    private final AtomicInteger firstDestroyers = new AtomicInteger();
    private volatile int found;
    private volatile Probe reinserted;

    /** The final put. */
    @Actor
    public void finalPut() {
        put(first);
    }

    /** get, use, put; then re-insert, use, put. */
    @Actor
    public void getPutReinsert() {
        Probe p = table.acquire(KEY);
        if (p != null) {
            found = 1;
            p.poison.use(violations);
            put(p);
        }
        Probe n = table.acquireOrCreate(KEY, k -> new Probe());
        n.poison.use(violations);
        reinserted = n;
        put(n);
    }

    private void put(Probe p) {
        if (p.release() && p == first) {
            firstDestroyers.incrementAndGet();
        }
    }

    /** Waits for the frees, then grades. */
    @Arbiter
    public void check(III_Result r) {
        RCU.rcuBarrier();
        Probe n = reinserted;
        int bad = violations.get() + (firstDestroyers.get() == 1 ? 0 : 1) + (table.size() == 0 ? 0 : 1)
                + (n != first && n.poison.frees() != 1 ? 1 : 0);
        r.r1 = first.poison.frees();
        r.r2 = found;
        r.r3 = bad;
    }

    /** A table entry with a poison flag. */
    static final class Probe extends RefCounted {
        final Poison poison = new Poison();

        Probe() {
            super(LIFETIME);
        }

        @Override
        protected void free() {
            poison.free();
        }
    }
}
