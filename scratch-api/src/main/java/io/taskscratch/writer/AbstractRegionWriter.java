package io.taskscratch.writer;

import io.taskscratch.Errno;
import io.taskscratch.region.HeaderField;
import io.taskscratch.region.Key;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.ScratchRegion;
import java.util.concurrent.atomic.LongAdder;

/**
 * The seqcount-protected stores shared by every writer; subclasses decide only whether a write
 * may happen ({@link #refusal}). Stores inside the seqcount are plain: {@code endWrite}'s release
 * store orders them before the even seq readers check.
 */
abstract sealed class AbstractRegionWriter implements RegionWriter permits PinnedWriter, LossyWriter {
    private final LongAdder attempts = new LongAdder();
    private final LongAdder landed = new LongAdder();
    private final LongAdder efault = new LongAdder();
    private final LongAdder eperm = new LongAdder();

    /** Why this write may not happen, or {@code null} if it may. */
    abstract Errno refusal(WriteContext ctx, ScratchRegion target);

    private boolean admit(WriteContext ctx, ScratchRegion target) {
        attempts.increment();
        Errno e = refusal(ctx, target);
        if (e == null) {
            landed.increment();
            return true;
        }
        (e == Errno.EFAULT ? efault : eperm).increment();
        return false;
    }

    @Override
    public boolean switchIn(WriteContext ctx, ScratchRegion target, int cpu, long nowNs, boolean migrated) {
        if (!admit(ctx, target)) {
            return false;
        }
        int token = target.beginWrite();
        target.set(HeaderField.ON_CPU, 1, MemoryOrder.PLAIN);
        target.set(HeaderField.CPU, cpu, MemoryOrder.PLAIN);
        bumpSwitch(target, nowNs);
        if (migrated) {
            target.set(HeaderField.MIGRATIONS, target.get(HeaderField.MIGRATIONS, MemoryOrder.PLAIN) + 1, MemoryOrder.PLAIN);
        }
        target.endWrite(token);
        return true;
    }

    @Override
    public boolean switchOut(WriteContext ctx, ScratchRegion target, long nowNs, boolean preempted) {
        if (!admit(ctx, target)) {
            return false;
        }
        int token = target.beginWrite();
        target.set(HeaderField.ON_CPU, 0, MemoryOrder.PLAIN);
        bumpSwitch(target, nowNs);
        if (preempted) {
            target.set(HeaderField.PREEMPTIONS, target.get(HeaderField.PREEMPTIONS, MemoryOrder.PLAIN) + 1, MemoryOrder.PLAIN);
        }
        target.endWrite(token);
        return true;
    }

    private static void bumpSwitch(ScratchRegion target, long nowNs) {
        target.set(HeaderField.SWITCHES, target.get(HeaderField.SWITCHES, MemoryOrder.PLAIN) + 1, MemoryOrder.PLAIN);
        target.set(HeaderField.LAST_SWITCH_NS, nowNs, MemoryOrder.PLAIN);
    }

    @Override
    public boolean migrated(WriteContext ctx, ScratchRegion target) {
        if (!admit(ctx, target)) {
            return false;
        }
        int token = target.beginWrite();
        target.set(HeaderField.MIGRATIONS, target.get(HeaderField.MIGRATIONS, MemoryOrder.PLAIN) + 1, MemoryOrder.PLAIN);
        target.endWrite(token);
        return true;
    }

    @Override
    public boolean setOnCpu(WriteContext ctx, ScratchRegion target, boolean onCpu) {
        if (!admit(ctx, target)) {
            return false;
        }
        int token = target.beginWrite();
        target.set(HeaderField.ON_CPU, onCpu ? 1 : 0, MemoryOrder.PLAIN);
        target.endWrite(token);
        return true;
    }

    @Override
    public boolean putInt(WriteContext ctx, ScratchRegion target, Key key, int value) {
        if (!admit(ctx, target)) {
            return false;
        }
        // A single aligned int needs no seqcount: opaque makes it a single, untorn, visible store.
        target.putInt(key, value, MemoryOrder.OPAQUE);
        return true;
    }

    @Override
    public WriterStats stats() {
        return new WriterStats(attempts.sum(), landed.sum(), efault.sum(), eperm.sum());
    }
}
