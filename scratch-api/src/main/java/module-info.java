/**
 * taskscratch's application-facing API: per-task scratch regions carved from pinned slabs,
 * a task-storage map with the Linux kernel's uptr semantics, region writers (pinned and
 * lossy), grace periods and tracepoint hooks.
 *
 * <p>Uses only the JDK. Native calls (mlock, gettid, sysconf) go through the Foreign Function
 * and Memory API, so applications should run with {@code --enable-native-access=io.taskscratch.api}
 * (or {@code ALL-UNNAMED} on the class path).
 */
// "module": the qualified exports below name io.taskscratch.kernel, which is compiled after this module.
@SuppressWarnings("module")
module io.taskscratch.api {
    exports io.taskscratch;
    exports io.taskscratch.platform;
    exports io.taskscratch.rcu;
    exports io.taskscratch.region;
    exports io.taskscratch.task;
    exports io.taskscratch.map;
    exports io.taskscratch.writer;

    // The kernel backend shares the libc bindings and the pin table, percpu the libc bindings
    // (sched_getcpu); nobody else sees them.
    exports io.taskscratch.internal to io.taskscratch.kernel;
    exports io.taskscratch.internal.os to io.taskscratch.kernel, io.taskscratch.percpu;
    exports io.taskscratch.hook;
}
