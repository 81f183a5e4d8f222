package io.taskscratch.stress.rcu;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.rcu.Rcu;
import io.taskscratch.rcu.RcuPointer;
import io.taskscratch.stress.rcu.PublishOrderingTest.Box;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/** Negative control for {@link PublishOrderingTest}: the writer publishes before it initialises. */
@JCStressTest
@Outcome(id = "-1, -1", expect = ACCEPTABLE, desc = "not published yet")
@Outcome(id = "42, 43", expect = ACCEPTABLE, desc = "published and initialised")
@Outcome(expect = FORBIDDEN, desc = "reader saw an uninitialised object")
@State
public class BrokenPublishOrderingTest {
    private static final Rcu RCU = Rcu.global();
    private final RcuPointer<Box> ptr = new RcuPointer<>(null);

    /** Writer: publish, then initialise. */
    @Actor
    public void writer() {
        Box b = new Box();
        ptr.publish(b);
        b.a = 42;
        Delay.spin();
        b.b = 43;
    }

    /** Reader. */
    @Actor
    public void reader(II_Result r) {
        Box.read(RCU, ptr, r);
    }
}
