package io.taskscratch.stress.rcu;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.stress.rcu.RcuBarrierOrderingTest.Callbacks;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Negative control for {@link RcuBarrierOrderingTest}: waits with grace periods of both flavors
 * instead of a barrier, the classic mistake (a grace period ending does not mean its callbacks
 * have run).
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "every earlier callback ran before the barrier returned")
@Outcome(expect = FORBIDDEN, desc = "a barrier returned before a callback queued before it ran")
@State
public class BrokenRcuBarrierOrderingTest {
    private static final Rcu RCU = RcuBarrierOrderingTest.RCU;
    private final Callbacks cbs = new Callbacks();

    /** Queues a normal and a chained callback, then waits for grace periods only. */
    @Actor
    public void first(III_Result r) {
        cbs.queueFirst(RCU);
        notABarrier();
        cbs.readFirst(r);
    }

    /** Queues a tasks-trace callback, then waits for grace periods only. */
    @Actor
    public void second(III_Result r) {
        cbs.queueSecond(RCU);
        notABarrier();
        cbs.readSecond(r);
    }

    private static void notABarrier() {
        RCU.synchronize(Flavor.TASKS_TRACE);
        RCU.synchronize(Flavor.NORMAL);
    }
}
