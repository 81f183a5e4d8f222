package io.taskscratch.stress.region;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.region.HeaderField;
import io.taskscratch.region.HeaderSnapshot;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.ScratchRegion;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * Negative control for {@link SeqlockSnapshotTest}: the reader ignores the seqcount and reads the
 * fields directly (as ScratchRegionTest's broken reader), so it tears mid-update.
 */
@JCStressTest
@Outcome(id = "1", expect = ACCEPTABLE, desc = "the snapshot holds one update's values")
@Outcome(id = "0", expect = FORBIDDEN, desc = "torn snapshot: fields from two updates, or seq odd")
@State
public class BrokenSeqlockSnapshotTest {
    /** Writer: one header update. */
    @Actor
    public void writer() {
        HeaderUpdates.write();
    }

    /** Reader: the fields one by one, seq read but not checked. */
    @Actor
    public void reader(I_Result r) {
        ScratchRegion g = HeaderUpdates.REGION;
        HeaderSnapshot s = new HeaderSnapshot((int) g.get(HeaderField.SEQ, MemoryOrder.OPAQUE), g.abiVersion(), g.onCpu(),
                (int) g.get(HeaderField.CPU, MemoryOrder.OPAQUE), g.get(HeaderField.SWITCHES, MemoryOrder.OPAQUE),
                g.get(HeaderField.LAST_SWITCH_NS, MemoryOrder.OPAQUE), 0, 0);
        r.r1 = HeaderUpdates.consistent(s);
    }
}
