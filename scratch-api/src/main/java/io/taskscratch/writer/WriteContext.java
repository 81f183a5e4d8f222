package io.taskscratch.writer;

import io.taskscratch.task.TaskHandle;
import java.util.Objects;

/**
 * Where a write comes from: the task that is {@code current} on the writing CPU and whether the
 * writer runs in task context, in an interrupt, or on behalf of an exiting task. Create one per
 * task and context and reuse it (hot paths should not allocate).
 *
 * @param current the task running on the CPU doing the write
 * @param kind    the execution context
 */
public record WriteContext(TaskHandle current, Kind kind) {
    /** The execution context of a write. */
    public enum Kind {
        /** Ordinary task context (a tracepoint in the task's own context). */
        TASK,
        /** Interrupt context: {@code bpf_probe_write_user} refuses (EPERM). */
        INTERRUPT,
        /** The current task is exiting: {@code bpf_probe_write_user} refuses (EPERM). */
        EXITING
    }

    /** Validates the components. */
    public WriteContext {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(kind, "kind");
    }

    /** Task context of {@code current}. */
    public static WriteContext task(TaskHandle current) {
        return new WriteContext(current, Kind.TASK);
    }
}
