package io.taskscratch.sched;

/** Life cycle of a {@link SimTask}. */
public enum TaskState {
    /** Created, not yet placed on a CPU. */
    NEW,
    /** In a run queue, waiting for a CPU. */
    RUNNABLE,
    /** Current task of a CPU. */
    RUNNING,
    /** Parked; waits for an unpark, an interrupt or a timeout. */
    BLOCKED,
    /** Its body returned (or the run ended). */
    EXITED
}
