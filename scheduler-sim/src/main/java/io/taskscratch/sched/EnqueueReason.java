package io.taskscratch.sched;

/** Why a task enters a run queue (Linux ENQUEUE_* flags, simplified). */
public enum EnqueueReason {
    /** A new task (fork or initial spawn). */
    FORK,
    /** Woken from park. */
    WAKEUP,
    /** Switched out involuntarily (slice end or wakeup preemption). */
    PREEMPTED,
    /** Gave the CPU up with {@code yieldCpu()}. */
    YIELD,
    /** Moved here from another CPU's queue by load balancing or idle stealing. */
    MIGRATED
}
