package io.taskscratch.region;

/**
 * A consistent copy of a region's sched-state header: every field was read under one even,
 * unchanged seqcount value (see {@link ScratchRegion#snapshot()}).
 *
 * @param seq          the (even) seqcount the snapshot was taken at
 * @param abiVersion   the region's ABI version
 * @param onCpu        whether the task was on a CPU
 * @param cpu          the CPU it last ran on
 * @param switches     context switches
 * @param lastSwitchNs time of the last switch, writer's clock
 * @param migrations   migrations
 * @param preemptions  involuntary switches out
 */
public record HeaderSnapshot(int seq, int abiVersion, boolean onCpu, int cpu, long switches, long lastSwitchNs,
        int migrations, int preemptions) {
}
