package io.taskscratch.stress.region;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * {@code ScratchRegion.snapshot()} is never torn: racing with a writer mid-update it retries
 * until seq is even and unchanged, so cpu, switches and last_switch_ns come from one update.
 */
@JCStressTest
@Outcome(id = "1", expect = ACCEPTABLE, desc = "the snapshot holds one update's values")
@Outcome(id = "0", expect = FORBIDDEN, desc = "torn snapshot: fields from two updates, or seq odd")
@State
public class SeqlockSnapshotTest {
    /** Writer: one header update. */
    @Actor
    public void writer() {
        HeaderUpdates.write();
    }

    /** Reader: a seqlock snapshot. */
    @Actor
    public void reader(I_Result r) {
        r.r1 = HeaderUpdates.consistent(HeaderUpdates.REGION.snapshot());
    }
}
