package io.taskscratch.region;

import java.lang.foreign.MemorySegment;

/**
 * User memory that can be registered in a uptr field of a task-storage map: normally a
 * {@link ScratchRegion}; {@link UserMemory} wraps arbitrary memory so the kernel's address
 * checks (EFAULT, EOPNOTSUPP) can be exercised. Sealed: only these two types exist, so every
 * registered memory is either a region (whose free is refused while registered) or an FFM
 * segment (whose accesses throw after its arena closes); a program can never write into memory
 * that was freed and reused.
 */
public sealed interface UptrTarget permits ScratchRegion, UserMemory {
    /** The start address (only for the map's range checks; never dereferenced raw). */
    default long address() {
        return segment().address();
    }

    /** The memory a program dereferences; accesses throw once the memory is freed. */
    MemorySegment segment();

    /** Whether the memory is mapped: its segment's scope is alive. */
    boolean isMapped();

    /** Whether the memory is read-only (pinning for write then fails with EFAULT). */
    boolean isReadOnly();
}
