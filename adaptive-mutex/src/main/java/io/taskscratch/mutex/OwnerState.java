package io.taskscratch.mutex;

/** What a {@link OwnerStateSource} knows about a lock owner's scheduling state. */
public enum OwnerState {
    /** The owner is on a CPU: the lock will likely be released soon, spinning pays. */
    RUNNING,
    /** The owner is off-CPU (preempted or blocked): spinning only burns a CPU it may need. */
    NOT_RUNNING,
    /** No information (no source, no region, or a torn read): fall back to a time-bounded spin. */
    UNKNOWN
}
