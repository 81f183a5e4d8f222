package io.taskscratch.mutex;

/**
 * Outcome of {@link AdaptiveMutex#acquire()}, as rqspinlock's {@code res_spin_lock} returns
 * 0, {@code -EDEADLK} or {@code -ETIMEDOUT}. On any failure nothing changed: the lock, its wait
 * queue and the caller's held-locks table are as before the call.
 */
public enum AcquireResult {
    /** The caller owns the lock. */
    OK,
    /** Waiting could never succeed: the caller owns the lock (AA) or the owner waits for a lock the caller holds (ABBA). */
    DEADLOCK,
    /** The resilient-mode time bound passed without getting the lock. */
    TIMEOUT
}
