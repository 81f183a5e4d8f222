package io.taskscratch.region;

/**
 * The memory-ordering mode of one region access, as the {@link java.lang.invoke.VarHandle}
 * access modes define them. Use the weakest mode that is correct.
 */
public enum MemoryOrder {
    /** Plain access: no ordering, may be hoisted out of loops; for data guarded by the seqcount. */
    PLAIN,
    /** Opaque: coherent and never hoisted, but unordered with other variables; enough for a hint such as {@code on_cpu}. */
    OPAQUE,
    /** Acquire on loads, release on stores: publishes or consumes the writes that precede the store. */
    ACQUIRE_RELEASE,
    /** Volatile: sequentially consistent. */
    VOLATILE
}
