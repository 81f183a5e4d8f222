package io.taskscratch.region;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Arbitrary user memory as a uptr target, for the map's address rules: a live writable
 * segment pins; a read-only segment, one whose arena is closed, or a bare address fail with
 * EFAULT; a struct crossing a page boundary fails with EOPNOTSUPP.
 *
 * <p>The TLD hazard cannot happen through this type: the wrapped segment keeps its FFM scope,
 * so once its arena is closed every program access throws instead of writing into reused memory.
 */
public final class UserMemory implements UptrTarget {
    private final MemorySegment segment;
    private final boolean mapped;

    private UserMemory(MemorySegment segment, boolean mapped) {
        this.segment = segment;
        this.mapped = mapped;
    }

    /** Wraps a segment (native, possibly read-only or from a closed arena). */
    public static UserMemory of(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        return new UserMemory(segment, true);
    }

    /**
     * A bare address with no memory behind it (as a C program could pass): never mapped, so
     * pinning fails (EFAULT) unless an earlier range check (overflow, page crossing) fails first.
     */
    public static UserMemory ofAddress(long address) {
        return new UserMemory(MemorySegment.ofAddress(address), false);
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public boolean isMapped() {
        return mapped && segment.isNative() && segment.scope().isAlive();
    }

    @Override
    public boolean isReadOnly() {
        return segment.isReadOnly();
    }

    /** Size of the wrapped segment (0 for a bare address). */
    public long byteSize() {
        return segment.byteSize();
    }

    @Override
    public String toString() {
        return "UserMemory[0x" + Long.toHexString(address()) + ", " + segment.byteSize() + " bytes"
                + (isReadOnly() ? ", read-only" : "") + (isMapped() ? "" : ", unmapped") + "]";
    }
}
