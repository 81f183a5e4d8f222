package io.taskscratch.demo.locks;

import io.taskscratch.mutex.LockMetrics;

import java.util.concurrent.locks.Lock;

/**
 * One lock of the comparison, as the workloads, the demo and the benchmarks use it. Every kind
 * can run a critical section; every kind except native {@code synchronized} is also a
 * {@link Lock} (a monitor cannot be entered in one call and exited in another).
 */
public interface ComparedLock {
    /** Which lock this is. */
    LockKind kind();

    /** Name for tables and charts, including the state source where there is one, e.g. {@code adaptive[pinned]}. */
    String name();

    /**
     * Runs {@code criticalSection} holding the lock.
     *
     * @param criticalSection the code to run under the lock
     */
    void runLocked(Runnable criticalSection);

    /**
     * This lock as a {@link Lock}.
     *
     * @return the lock
     * @throws UnsupportedOperationException for native {@code synchronized}
     */
    Lock asLock();

    /** Counters, or {@link LockMetrics#unavailable(String)} for JDK locks that keep none. */
    LockMetrics metrics();
}
