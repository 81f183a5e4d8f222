package io.taskscratch.sched;

/**
 * Why a run stopped abnormally: which task (or listener), at what virtual time, and the
 * underlying stack (the cause, or for a stall the blocked thread's stack as this exception's
 * own trace).
 */
public final class SimFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** A task body threw. */
        TASK_THREW,
        /** A task blocked outside the model (sleep, JDK lock, I/O) and the watchdog fired. */
        STALLED,
        /** An event listener threw. */
        LISTENER_THREW,
        /** An invariant check failed. */
        INVARIANT
    }

    private final Kind kind;
    private final String taskName;
    private final long virtualTimeNs;

    SimFailureException(Kind kind, String taskName, long virtualTimeNs, String detail, Throwable cause) {
        super(kind + ": task '" + taskName + "' at virtual time " + virtualTimeNs + " ns: " + detail, cause);
        this.kind = kind;
        this.taskName = taskName;
        this.virtualTimeNs = virtualTimeNs;
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** The task at fault (for listener and invariant failures: the task running when it happened, or "-"). */
    public String taskName() {
        return taskName;
    }

    /** Virtual time of the failure. */
    public long virtualTimeNs() {
        return virtualTimeNs;
    }
}
