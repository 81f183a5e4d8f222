package io.taskscratch.stress.mutex;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.mutex.RegionHeldLocks;
import io.taskscratch.stress.rcu.Delay;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Negative control for {@link RegionHeldLocksPublishTest}: the owner writes the table at the
 * documented offsets but publishes each count before the id it covers, so a reader can see a
 * count whose top slot is still empty.
 */
@JCStressTest
@Outcome(id = {"0, 1", "1, 1", "2, 1"}, expect = ACCEPTABLE, desc = "every entry below the count seen is published")
@Outcome(expect = FORBIDDEN, desc = "a count published before its entry: the reader sees an empty or wrong slot")
@State
public class BrokenRegionHeldLocksPublishTest {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final HeldTable t = new HeldTable();

    /** Owner: count first, then the id (the bug); the gap follows the first count store, as in the real test. */
    @Actor
    public void owner() {
        MemorySegment s = t.bytes();
        INT.setRelease(s, (long) RegionHeldLocks.COUNT_OFFSET, 1);
        Delay.spin();
        LONG.setRelease(s, (long) RegionHeldLocks.ENTRIES_OFFSET, HeldTable.A);
        INT.setRelease(s, (long) RegionHeldLocks.COUNT_OFFSET, 2);
        LONG.setRelease(s, (long) RegionHeldLocks.ENTRIES_OFFSET + RegionHeldLocks.ENTRY_SIZE, HeldTable.B);
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
