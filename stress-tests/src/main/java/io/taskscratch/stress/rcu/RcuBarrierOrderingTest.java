package io.taskscratch.stress.rcu;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@code rcuBarrier()} returns only after every callback queued before it has run, whatever its
 * flavor, chained ones included, with another thread queueing and barriering at the same time.
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "every earlier callback ran before the barrier returned")
@Outcome(expect = FORBIDDEN, desc = "a barrier returned before a callback queued before it ran")
@State
public class RcuBarrierOrderingTest {
    static final Rcu RCU = Rcu.create("jcstress-barrier"); // lives as long as the fork
    private final Callbacks cbs = new Callbacks();

    /** Queues a normal and a chained callback, then waits for them with a barrier. */
    @Actor
    public void first(III_Result r) {
        cbs.queueFirst(RCU);
        RCU.rcuBarrier();
        cbs.readFirst(r);
    }

    /** Queues a tasks-trace callback, then waits for it with a barrier. */
    @Actor
    public void second(III_Result r) {
        cbs.queueSecond(RCU);
        RCU.rcuBarrier();
        cbs.readSecond(r);
    }

    /** Flags set by callbacks; the barrier orders their writes before the actors' reads. */
    static final class Callbacks {
        int normal;
        int chained;
        int trace;

        void queueFirst(Rcu rcu) {
            rcu.callRcu(Flavor.NORMAL, () -> normal = 1);
            rcu.callRcuChained(() -> chained = 1);
        }

        void queueSecond(Rcu rcu) {
            rcu.callRcu(Flavor.TASKS_TRACE, () -> trace = 1);
        }

        void readFirst(III_Result r) {
            r.r1 = normal;
            r.r2 = chained;
        }

        void readSecond(III_Result r) {
            r.r3 = trace;
        }
    }
}
