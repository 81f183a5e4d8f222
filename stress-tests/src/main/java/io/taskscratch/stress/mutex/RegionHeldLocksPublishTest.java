package io.taskscratch.stress.mutex;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.stress.rcu.Delay;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@code RegionHeldLocks} publishes safely through off-heap memory: a task reading another task's
 * table in its scratch region (the ABBA check) that sees count n also sees the n ids recorded
 * below it, never an empty or stale slot (entry stored with release before the count, count
 * loaded with acquire before the entries).
 */
@JCStressTest
@Outcome(id = {"0, 1", "1, 1", "2, 1"}, expect = ACCEPTABLE, desc = "every entry below the count seen is published")
@Outcome(expect = FORBIDDEN, desc = "a count published before its entry: the reader sees an empty or wrong slot")
@State
public class RegionHeldLocksPublishTest {
    private final HeldTable t = new HeldTable();

    /** Owner: holds A, then starts acquiring B. */
    @Actor
    public void owner() {
        t.table.push(HeldTable.A);
        Delay.spin();
        t.table.push(HeldTable.B);
    }

    /** Another task reads the table. */
    @Actor
    public void reader(II_Result r) {
        t.read(r);
    }

    /** Returns the region to the pool. */
    @Arbiter
    public void recycle() {
        t.recycle();
    }
}
