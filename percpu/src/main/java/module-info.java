/**
 * Per-CPU structures for Java threads, driven by the CPU id and re-scheduling counters that the
 * scheduler writes into each thread's scratch region (or by glibc's {@code sched_getcpu()} when a
 * thread has none): {@code CpuView}, {@code PerCpuCounter} and the tcmalloc-style
 * {@code PerCpuPool}.
 *
 * <p>Depends on scratch-api only. The {@code sched_getcpu} source is an FFM downcall, so
 * applications should run with {@code --enable-native-access=io.taskscratch.api} (or
 * {@code ALL-UNNAMED} on the class path).
 */
module io.taskscratch.percpu {
    requires transitive io.taskscratch.api;

    exports io.taskscratch.percpu;
}
