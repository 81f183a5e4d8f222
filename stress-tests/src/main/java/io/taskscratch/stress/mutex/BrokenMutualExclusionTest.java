package io.taskscratch.stress.mutex;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.stress.rcu.Delay;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIL_Result;

/**
 * Negative control for {@link MutualExclusionTest}: a broken test-and-test-and-set lock whose
 * "set" is a check-then-store instead of a CAS, so two threads that both see the lock free both
 * take it. Results carry the lock name {@code broken-ttas} like the real test's kinds.
 */
@JCStressTest
@Outcome(id = "2, 0, .*", expect = ACCEPTABLE, desc = "both increments, one thread inside at a time (any lock)")
@Outcome(expect = FORBIDDEN, desc = "lost update or two threads inside the critical section")
@State
public class BrokenMutualExclusionTest {
    private static final VarHandle LOCKED;

    static {
        try {
            LOCKED = MethodHandles.lookup().findVarHandle(BrokenMutualExclusionTest.class, "locked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 1 while held; accessed via LOCKED. */
    @SuppressWarnings("unused") private int locked;
    private final Counter counter = new Counter();

    /** First incrementer. */
    @Actor
    public void first() {
        runLocked();
    }

    /** Second incrementer. */
    @Actor
    public void second() {
        runLocked();
    }

    private void runLocked() {
        while ((int) LOCKED.getVolatile(this) != 0) { // test ...
            Thread.onSpinWait();
        }
        Delay.spin(); // widens the window between test and set so that a 1 s run sees the bug
        LOCKED.setVolatile(this, 1); // ... then set, not atomically: the bug (should be a CAS)
        try {
            counter.increment();
        } finally {
            LOCKED.setRelease(this, 0);
        }
    }

    /** Reads the count. */
    @Arbiter
    public void check(IIL_Result r) {
        counter.result(r, "broken-ttas");
    }
}
