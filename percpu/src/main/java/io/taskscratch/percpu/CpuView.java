package io.taskscratch.percpu;

/**
 * What the scheduler last said about the calling thread: the CPU it runs on and how often it was
 * re-scheduled. A view belongs to one thread ({@link CpuSource#currentView()}) and is read only by
 * it; every read is one load (from the thread's scratch region) or one {@code sched_getcpu()} call.
 *
 * <p>The answers are hints. The CPU may change right after {@link #cpu()} returned: a thread can be
 * preempted or migrated between reading its CPU and using it, and Java cannot abort and restart
 * the way an rseq critical section does. Per-CPU structures built on a view therefore update their
 * slots atomically and use the CPU id only to keep a slot uncontended and cache-local.
 */
public interface CpuView {
    /**
     * What {@link #switches()} and {@link #migrations()} return when the source has no
     * re-scheduling notifications ({@code sched_getcpu()}, or a thread without a region): the
     * sequence is unknown, so a caller must re-read {@link #cpu()} before each use.
     */
    long SEQUENCE_UNKNOWN = -1L;

    /**
     * The CPU the calling thread runs on (region: the {@code cpu} field the scheduler wrote at the
     * thread's last switch-in).
     *
     * @return a CPU number ≥ 0, or a negative number when the source cannot tell (an exited
     *         task's {@code RegionAbi.CPU_EXITED}, a failing {@code sched_getcpu})
     */
    int cpu();

    /**
     * The thread's context switches (in + out) since its region was registered: changes whenever
     * the thread was switched out and back in.
     *
     * @return a non-negative count, or {@link #SEQUENCE_UNKNOWN}
     */
    long switches();

    /**
     * The thread's migrations since its region was registered: changes exactly when the thread
     * resumed on another CPU than before, so a caller that cached a CPU-indexed slot re-reads
     * {@link #cpu()} only when this changed.
     *
     * @return a non-negative count (the u32 field, zero-extended), or {@link #SEQUENCE_UNKNOWN}
     */
    long migrations();
}
