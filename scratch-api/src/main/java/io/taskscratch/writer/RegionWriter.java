package io.taskscratch.writer;

import io.taskscratch.region.Key;
import io.taskscratch.region.ScratchRegion;

/**
 * Writes scheduler state into a task's region, the way a sched_switch hook would. Each call is
 * one seqcount-protected update; it either lands completely or (lossy writers) not at all, and
 * a failure is only counted: the reader just keeps seeing the old values.
 */
public interface RegionWriter {
    /**
     * The task is switched in on {@code cpu}: {@code on_cpu = 1}, {@code cpu}, {@code switches++},
     * {@code last_switch_ns = nowNs}, and {@code migrations++} if {@code migrated}.
     *
     * @return whether the write landed
     */
    boolean switchIn(WriteContext ctx, ScratchRegion target, int cpu, long nowNs, boolean migrated);

    /**
     * The task is switched out: {@code on_cpu = 0}, {@code switches++}, {@code last_switch_ns},
     * and {@code preemptions++} if {@code preempted} (involuntary).
     *
     * @return whether the write landed
     */
    boolean switchOut(WriteContext ctx, ScratchRegion target, long nowNs, boolean preempted);

    /**
     * The task moved to another CPU while not running ({@code sched_migrate_task}):
     * {@code migrations++}; {@code cpu} keeps the CPU it last ran on.
     *
     * @return whether the write landed
     */
    boolean migrated(WriteContext ctx, ScratchRegion target);

    /**
     * Sets only {@code on_cpu} (an rseq-style hint update).
     *
     * @return whether the write landed
     */
    boolean setOnCpu(WriteContext ctx, ScratchRegion target, boolean onCpu);

    /**
     * Stores a 4-byte user key.
     *
     * @return whether the write landed
     */
    boolean putInt(WriteContext ctx, ScratchRegion target, Key key, int value);

    /** This writer's counters. */
    WriterStats stats();
}
