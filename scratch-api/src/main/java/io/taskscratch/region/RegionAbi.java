package io.taskscratch.region;

/**
 * The fixed, versioned scratch-region ABI of docs/design.md §3: the sched-state header every region
 * starts with. The same offsets are used by the simulated writers and the real BPF program.
 */
public final class RegionAbi {
    /** The ABI version written into {@code abi_version} of every new region. */
    public static final int ABI_VERSION = 1;
    /** u32 seqcount: odd while a writer is mid-update. */
    public static final int SEQ_OFFSET = 0;
    /** u32 ABI version. */
    public static final int ABI_VERSION_OFFSET = 4;
    /** u32, 1 while the task runs on a CPU. */
    public static final int ON_CPU_OFFSET = 8;
    /** u32, the CPU the task last ran on. */
    public static final int CPU_OFFSET = 12;
    /**
     * The value of {@code cpu} (u32 {@code 0xFFFFFFFF}, read as an int) after the final
     * switch-out of a task that has exited: written by the kernel backend's program in the same
     * seqcount update as that switch-out, after which no writer touches the region again. A
     * registered region never holds it before (registration stores the current CPU).
     */
    public static final int CPU_EXITED = -1;
    /** u64 context switches (in + out). */
    public static final int SWITCHES_OFFSET = 16;
    /** u64 time of the last switch, in the writer's clock. */
    public static final int LAST_SWITCH_NS_OFFSET = 24;
    /** u32 migrations. */
    public static final int MIGRATIONS_OFFSET = 32;
    /** u32 involuntary switches out. */
    public static final int PREEMPTIONS_OFFSET = 36;
    /** Size of the header; user keys start here. */
    public static final int HEADER_SIZE = 40;
    /** Cache-line size regions are padded to, so two threads' regions never share a line. */
    public static final int CACHE_LINE = 64;

    private RegionAbi() {
    }
}
