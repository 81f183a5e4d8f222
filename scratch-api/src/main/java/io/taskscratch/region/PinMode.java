package io.taskscratch.region;

/** Whether a {@link RegionAllocator} locks its slabs into RAM. */
public enum PinMode {
    /** Slabs are {@code mlock}ed and prefaulted: every write lands (the uptr model). */
    PINNED,
    /**
     * Slabs are ordinary memory, for environments that cannot lock memory (RLIMIT_MEMLOCK too
     * small, no CAP_IPC_LOCK). Such pages may be evicted; regions report {@code isPinned() == false}
     * unless a map registration pins them.
     */
    UNPINNED
}
