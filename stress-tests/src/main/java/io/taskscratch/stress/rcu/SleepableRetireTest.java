package io.taskscratch.stress.rcu;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.GraceTracker;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.rcu.RcuPointer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A sleepable (tasks-trace) reader is safe when the object's {@link GraceTracker} was marked
 * sleepable: the tracker then waits for both grace periods.
 */
@JCStressTest
@Outcome(id = {"7, 0", "7, 1"}, expect = ACCEPTABLE, desc = "live node, or unpublished with its grace period pending")
@Outcome(expect = FORBIDDEN, desc = "tasks-trace reader saw age 2 or poisoned memory")
@State
public class SleepableRetireTest {
    private static final Rcu RCU = Rcu.global();
    private static final GraceTracker TRACKER = new GraceTracker(RCU);

    static {
        TRACKER.markSleepable();
    }

    private final RcuPointer<AgedNode> ptr = AgedNode.pointer();

    /** Sleepable reader. */
    @Actor
    public void reader(II_Result r) {
        AgedNode.read(RCU, Flavor.TASKS_TRACE, ptr, r);
    }

    /** Writer: waits as the tracker says. */
    @Actor
    public void writer() {
        AgedNode.retire(ptr, TRACKER::synchronize);
    }
}
