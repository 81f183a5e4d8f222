/**
 * taskscratch's deterministic scheduler model: runs real Java task code in virtual time, fires
 * the sched tracepoints into hook programs, and hosts the standard sched-state hook
 * ({@code io.taskscratch.sched.SchedStateHook}) that writes every task's scratch region.
 *
 * <p>The trace file uses Chronicle Bytes, which needs {@code --sun-misc-unsafe-memory-access=allow}
 * and {@code --add-exports} of {@code java.base/jdk.internal.ref} and {@code java.base/sun.nio.ch}.
 */
module io.taskscratch.sched {
    requires transitive io.taskscratch.api;
    requires chronicle.bytes;
    requires chronicle.core;

    exports io.taskscratch.sched;
    exports io.taskscratch.sched.calibration;
    exports io.taskscratch.sched.trace;
    exports io.taskscratch.sched.workload;
}
