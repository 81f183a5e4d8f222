package io.taskscratch.mutex;

/**
 * A snapshot of one lock's counters. Counters a lock does not keep are {@code -1}
 * ({@link #unavailable(String)}); the snapshot is not atomic across fields.
 *
 * @param lock         the lock's description ({@code toString})
 * @param stateSource  name of the scheduler-state source, or {@code "-"} for locks without one
 * @param acquisitions successful acquisitions
 * @param spins        spin episodes (each time a task became the spinner)
 * @param spinNanos    total time spent spinning, in platform nanoseconds
 * @param parks        times a waiter parked
 * @param handoffs     direct hand-offs of the lock to a starving waiter
 * @param timeouts     timed acquisitions that gave up (tryLock with timeout, resilient TIMEOUT)
 * @param deadlocks    acquisitions refused as deadlocks (AA re-lock, resilient ABBA)
 */
public record LockMetrics(String lock, String stateSource, long acquisitions, long spins, long spinNanos,
                          long parks, long handoffs, long timeouts, long deadlocks) {
    /**
     * Metrics of a lock that keeps none (ReentrantLock, synchronized).
     *
     * @param lock the lock's description
     * @return all counters {@code -1}
     */
    public static LockMetrics unavailable(String lock) {
        return new LockMetrics(lock, "-", -1, -1, -1, -1, -1, -1, -1);
    }
}
