package io.taskscratch.stress.percpu;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Negative control for {@link PoolSameCpuTest}: the same scenario on {@link TrustingPerCpuPool},
 * whose per-CPU list is a plain stack that trusts the CPU id (no lock, no CAS); two threads on
 * the "same CPU" pop the same object or overwrite each other's push.
 *
 * <p>The real test's description: {@code PerCpuPool} never hands an object out twice and never loses one, even when two threads
 * use the same CPU's list at once (both read CPU 0 from {@link SameCpu}, as a thread preempted or
 * migrated between reading its CPU and committing would). The list holds two objects; each actor
 * allocates one and frees one it held before.
 *
 * <p>Result: (1 if both actors got the same object, objects made − objects held − objects
 * dropped − the 2 the actors hold now); 0, 0 is the only correct outcome. With the list busy an
 * actor may get a fresh object from the factory or drop its free (no transfer cache here): both
 * are counted, so the balance still holds.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "distinct objects, every object accounted for")
@Outcome(expect = FORBIDDEN, desc = "an object handed out twice or lost")
@State
public class BrokenPoolSameCpuTest {
    private final TrustingPerCpuPool pool = new TrustingPerCpuPool(SameCpu.INSTANCE, 2, 4);
    private final Object held1 = pool.allocate();
    private final Object held2 = pool.allocate();
    private Object got1;
    private Object got2;

    {
        Object a = pool.allocate();
        Object b = pool.allocate();
        pool.free(a);
        pool.free(b); // CPU 0's list: [a, b]; made: 4
    }

    /** Allocates, then frees what it held. */
    @Actor
    public void first() {
        got1 = pool.allocate();
        pool.free(held1);
    }

    /** The same on the "same CPU". */
    @Actor
    public void second() {
        got2 = pool.allocate();
        pool.free(held2);
    }

    /** Same object twice? Balance of made, held, dropped and out. */
    @Arbiter
    public void check(II_Result r) {
        r.r1 = got1 == got2 ? 1 : 0;
        r.r2 = (int) (pool.created() - pool.held() - pool.dropped() - 2);
    }
}
