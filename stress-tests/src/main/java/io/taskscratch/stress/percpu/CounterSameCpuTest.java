package io.taskscratch.stress.percpu;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.percpu.PerCpuCounter;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

/**
 * {@link PerCpuCounter} never loses an increment, even when two threads add to the same CPU's
 * cell at once (both read CPU 0 from {@link SameCpu}, as a thread preempted or migrated after
 * reading its CPU would): the cell update is an atomic add, not a store that trusts the CPU id.
 */
@JCStressTest
@Outcome(id = "2", expect = ACCEPTABLE, desc = "both increments counted")
@Outcome(expect = FORBIDDEN, desc = "an increment was lost")
@State
public class CounterSameCpuTest {
    private final PerCpuCounter counter = PerCpuCounter.create(SameCpu.INSTANCE, 2);

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
