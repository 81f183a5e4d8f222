package io.taskscratch.stress.rcu;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.rcu.RcuPointer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/** A normal reader never sees a node whose grace period has elapsed (age 2) or that was freed (poison). */
@JCStressTest
@Outcome(id = {"7, 0", "7, 1"}, expect = ACCEPTABLE, desc = "live node, or unpublished with its grace period pending")
@Outcome(expect = FORBIDDEN, desc = "reader saw age 2 or poisoned memory: freed under a reader")
@State
public class GracePeriodAgeTest {
    private static final Rcu RCU = Rcu.global();
    private final RcuPointer<AgedNode> ptr = AgedNode.pointer();

    /** Reader. */
    @Actor
    public void reader(II_Result r) {
        AgedNode.read(RCU, Flavor.NORMAL, ptr, r);
    }

    /** Writer: replace, synchronize, free. */
    @Actor
    public void writer() {
        AgedNode.retire(ptr, () -> RCU.synchronize(Flavor.NORMAL));
    }
}
