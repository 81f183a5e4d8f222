package io.taskscratch.region;

/** The fields of the §3 sched-state header, with their offsets and widths. */
public enum HeaderField {
    /** u32 seqcount (written only by {@link ScratchRegion#beginWrite()}/{@link ScratchRegion#endWrite(int)}). */
    SEQ(RegionAbi.SEQ_OFFSET, 4),
    /** u32 ABI version (read-only). */
    ABI_VERSION(RegionAbi.ABI_VERSION_OFFSET, 4),
    /** u32 on-CPU flag. */
    ON_CPU(RegionAbi.ON_CPU_OFFSET, 4),
    /** u32 CPU last run on. */
    CPU(RegionAbi.CPU_OFFSET, 4),
    /** u64 context switches. */
    SWITCHES(RegionAbi.SWITCHES_OFFSET, 8),
    /** u64 time of the last switch. */
    LAST_SWITCH_NS(RegionAbi.LAST_SWITCH_NS_OFFSET, 8),
    /** u32 migrations. */
    MIGRATIONS(RegionAbi.MIGRATIONS_OFFSET, 4),
    /** u32 preemptions. */
    PREEMPTIONS(RegionAbi.PREEMPTIONS_OFFSET, 4);

    private final int offset;
    private final int size;

    HeaderField(int offset, int size) {
        this.offset = offset;
        this.size = size;
    }

    /** Byte offset in the region. */
    public int offset() {
        return offset;
    }

    /** Width in bytes (4 or 8). */
    public int size() {
        return size;
    }

    /** Whether user code may store to it through {@link ScratchRegion#set(HeaderField, long, MemoryOrder)}. */
    public boolean isWritable() {
        return this != SEQ && this != ABI_VERSION;
    }
}
