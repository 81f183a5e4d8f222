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

/** Initialise, then publish: a reader that finds the object sees it initialised. */
@JCStressTest
@Outcome(id = "-1, -1", expect = ACCEPTABLE, desc = "not published yet")
@Outcome(id = "42, 43", expect = ACCEPTABLE, desc = "published and initialised")
@Outcome(expect = FORBIDDEN, desc = "reader saw an uninitialised object")
@State
public class PublishOrderingTest {
    private static final Rcu RCU = Rcu.global();
    private final RcuPointer<Box> ptr = new RcuPointer<>(null);

    /** Writer: initialise, then publish. */
    @Actor
    public void writer() {
        Box b = new Box();
        b.a = 42;
        Delay.spin();
        b.b = 43;
        ptr.publish(b);
    }

    /** Reader. */
    @Actor
    public void reader(II_Result r) {
        Box.read(RCU, ptr, r);
    }

    /** The published object; plain fields on purpose. */
    static final class Box {
        int a;
        int b;

        static void read(Rcu rcu, RcuPointer<Box> ptr, II_Result r) {
            rcu.readLock(Flavor.NORMAL);
            Box b = ptr.get();
            if (b == null) {
                r.r1 = -1;
                r.r2 = -1;
            } else {
                r.r1 = b.a;
                r.r2 = b.b;
            }
            rcu.readUnlock(Flavor.NORMAL);
        }
    }
}
