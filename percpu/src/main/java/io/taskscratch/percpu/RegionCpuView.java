package io.taskscratch.percpu;

import io.taskscratch.region.RegionAbi;
import io.taskscratch.region.ScratchRegion;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One thread's view of its own scratch region: each read is one opaque load of a header field.
 *
 * <p>Implementation overview. The view binds the region's segment on first use through the
 * {@link RegionLookup} and keeps it; until the thread has a region, and after its region was freed
 * (the segment's scope is closed, so the load throws {@link IllegalStateException} and touches no
 * memory), it answers like {@code sched_getcpu()} with {@link #SEQUENCE_UNKNOWN} and looks the
 * region up again on the next read.
 *
 * <p>Memory ordering: opaque loads. The writer stores {@code cpu}, {@code switches} and
 * {@code migrations} while this thread is switched out or at its switch-in, before it runs again
 * on that CPU; the context switch orders those stores before the thread's next instruction, so
 * the owning thread sees them all without acquire. Opaque keeps a loop from hoisting the load and
 * the 64-bit {@code switches} from tearing.
 */
final class RegionCpuView implements CpuView {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long U32 = 0xFFFF_FFFFL;

    private final RegionLookup lookup;
    private MemorySegment segment; // plain: read and written only by the owning thread

    RegionCpuView(RegionLookup lookup) {
        this.lookup = lookup;
    }

    private MemorySegment bound() {
        MemorySegment s = segment;
        if (s == null) {
            ScratchRegion r = lookup.regionOfCurrentThread();
            if (r != null) {
                segment = s = r.segment();
            }
        }
        return s;
    }

    @Override
    public int cpu() {
        MemorySegment s = bound();
        if (s != null) {
            try {
                return (int) INT.getOpaque(s, (long) RegionAbi.CPU_OFFSET);
            } catch (IllegalStateException freed) {
                segment = null;
            }
        }
        return SchedGetcpuView.INSTANCE.cpu();
    }

    @Override
    public long switches() {
        MemorySegment s = bound();
        if (s != null) {
            try {
                return (long) LONG.getOpaque(s, (long) RegionAbi.SWITCHES_OFFSET);
            } catch (IllegalStateException freed) {
                segment = null;
            }
        }
        return SEQUENCE_UNKNOWN;
    }

    @Override
    public long migrations() {
        MemorySegment s = bound();
        if (s != null) {
            try {
                return (int) INT.getOpaque(s, (long) RegionAbi.MIGRATIONS_OFFSET) & U32;
            } catch (IllegalStateException freed) {
                segment = null;
            }
        }
        return SEQUENCE_UNKNOWN;
    }

    @Override
    public String toString() {
        return segment != null ? "region view" : "region view (no region: sched_getcpu)";
    }
}
