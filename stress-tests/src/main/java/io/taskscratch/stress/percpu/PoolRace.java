package io.taskscratch.stress.percpu;

import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The scenario of {@link PoolSameCpuTest} and its twin: a pool whose CPU-0 list holds two objects
 * and two actors that each hold one more; each actor allocates one object, then frees the one it
 * held. Only a pool whose lists are safe without the CPU id being exclusive hands out two
 * distinct objects and keeps the balance made = held + dropped + the two out.
 */
final class PoolRace {
    /** The operations the scenario needs, for the real pool and the trusting one. */
    interface Pool {
        Object allocate();

        void free(Object o);

        long created();

        long held();

        long dropped();
    }

    private final Pool pool;
    private final Object held1;
    private final Object held2;
    private Object got1;
    private Object got2;

    PoolRace(Pool pool) {
        this.pool = pool;
        this.held1 = pool.allocate();
        this.held2 = pool.allocate();
        Object a = pool.allocate();
        Object b = pool.allocate();
        pool.free(a);
        pool.free(b); // CPU 0's list: [a, b]; made: 4
    }

    void first() {
        got1 = pool.allocate();
        pool.free(held1);
    }

    void second() {
        got2 = pool.allocate();
        pool.free(held2);
    }

    /** r1 = 1 if both actors got the same object; r2 = made − held − dropped − 2 out (0 when nothing was lost). */
    void result(II_Result r) {
        r.r1 = got1 == got2 ? 1 : 0;
        r.r2 = (int) (pool.created() - pool.held() - pool.dropped() - 2);
    }
}
