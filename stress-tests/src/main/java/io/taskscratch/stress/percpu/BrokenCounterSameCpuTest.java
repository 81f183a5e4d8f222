package io.taskscratch.stress.percpu;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

/**
 * Negative control for {@link CounterSameCpuTest}: a per-CPU counter that trusts the CPU id and
 * updates its cell with a plain write ({@link TrustingPerCpuCounter}); two threads on the "same
 * CPU" lose an increment.
 */
@JCStressTest
@Outcome(id = "2", expect = ACCEPTABLE, desc = "both increments counted")
@Outcome(expect = FORBIDDEN, desc = "an increment was lost")
@State
public class BrokenCounterSameCpuTest {
    private final TrustingPerCpuCounter counter = new TrustingPerCpuCounter(SameCpu.INSTANCE, 2);

    /** First adder. */
    @Actor
    public void first() {
        counter.increment();
    }

    /** Second adder, on the "same CPU". */
    @Actor
    public void second() {
        counter.increment();
    }

    /** The sum. */
    @Arbiter
    public void check(J_Result r) {
        r.r1 = counter.sum();
    }
}
