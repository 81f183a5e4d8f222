package io.taskscratch.demo.percpu;

import io.taskscratch.percpu.PerCpuPool;

/**
 * An object pool of the comparison: the per-CPU pool and its baselines, a per-thread cache pool
 * and one shared lock-free queue.
 *
 * @param <T> the pooled objects' type
 */
public interface ComparedPool<T> {
    /**
     * An object from the pool, or a new one.
     *
     * @return an object no other caller holds
     */
    T allocate();

    /**
     * Gives an object back (the pool may drop it when full).
     *
     * @param obj an object from {@link #allocate()}
     */
    void free(T obj);

    /**
     * Objects the pool holds right now (a statistic, read while others may run).
     *
     * @return the count
     */
    long held();

    /**
     * The name in reports.
     *
     * @return e.g. {@code percpu}, {@code threadlocal}, {@code shared}
     */
    String name();

    /**
     * The per-CPU pool as a compared pool.
     *
     * @param pool the pool
     * @param name the name in reports
     * @param <T>  the objects' type
     * @return a view of {@code pool}
     */
    static <T> ComparedPool<T> of(PerCpuPool<T> pool, String name) {
        return new ComparedPool<>() {
            @Override
            public T allocate() {
                return pool.allocate();
            }

            @Override
            public void free(T obj) {
                pool.free(obj);
            }

            @Override
            public long held() {
                return pool.held();
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
