package io.taskscratch.sched;

/** Which Java threads carry simulated task bodies. */
public enum ThreadKind {
    /** Virtual threads: cheap to create, hand-offs stay inside the JDK's scheduler. */
    VIRTUAL,
    /** Daemon platform threads: a hand-off is an OS-level wake-up. */
    PLATFORM
}
