package io.taskscratch.writer;

import io.taskscratch.region.Key;
import io.taskscratch.region.ScratchRegion;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * A model of the rseq "sched_state" RFC (2023, never merged): the kernel sets {@code on_cpu} on
 * the way back to user space, where it may take page faults, so switch-ins always land; it
 * clears the flag on preemption with page faults disabled, so a switch-out is dropped with
 * probability {@code dropRate} (drawn from a seeded generator: same seed and calls, same
 * drops). A dropped clear leaves {@code on_cpu = 1} on a task that is off-CPU: waiters see a
 * preempted owner as running and spin for nothing (docs/design.md §6).
 *
 * <p>Landing writes go through a {@link PinnedWriter}; a dropped write is counted as EFAULT.
 */
public final class RseqHintWriter implements RegionWriter {
    private final PinnedWriter landing = new PinnedWriter();
    private final SplittableRandom random;
    private final double dropRate;
    private final LongAdder dropped = new LongAdder();

    /**
     * @param dropRate probability in [0, 1] that a switch-out (clear) is lost
     * @param seed     seed of the drop decisions
     */
    public RseqHintWriter(double dropRate, long seed) {
        if (!(dropRate >= 0 && dropRate <= 1)) {
            throw new IllegalArgumentException("dropRate " + dropRate + ": must be in [0, 1]");
        }
        this.dropRate = dropRate;
        this.random = new SplittableRandom(seed);
    }

    /** The probability that a clear is lost. */
    public double dropRate() {
        return dropRate;
    }

    private boolean drop() {
        if (dropRate > 0 && random.nextDouble() < dropRate) {
            dropped.increment();
            return true;
        }
        return false;
    }

    @Override
    public boolean switchIn(WriteContext ctx, ScratchRegion target, int cpu, long nowNs, boolean migrated) {
        return landing.switchIn(ctx, target, cpu, nowNs, migrated);
    }

    @Override
    public boolean switchOut(WriteContext ctx, ScratchRegion target, long nowNs, boolean preempted) {
        return !drop() && landing.switchOut(ctx, target, nowNs, preempted);
    }

    @Override
    public boolean migrated(WriteContext ctx, ScratchRegion target) {
        return landing.migrated(ctx, target);
    }

    @Override
    public boolean setOnCpu(WriteContext ctx, ScratchRegion target, boolean onCpu) {
        return (onCpu || !drop()) && landing.setOnCpu(ctx, target, onCpu);
    }

    @Override
    public boolean putInt(WriteContext ctx, ScratchRegion target, Key key, int value) {
        return landing.putInt(ctx, target, key, value);
    }

    @Override
    public WriterStats stats() {
        WriterStats s = landing.stats();
        long d = dropped.sum();
        return new WriterStats(s.attempts() + d, s.landed(), s.efault() + d, s.eperm());
    }
}
