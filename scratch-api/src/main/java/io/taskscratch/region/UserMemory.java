package io.taskscratch.region;

import io.taskscratch.internal.os.ProcessMappings;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Arbitrary user memory as a uptr target, for the map's address rules: a live writable
 * segment pins; a read-only segment, one whose arena is closed, or a bare address fail with
 * EFAULT; a struct crossing a page boundary fails with EOPNOTSUPP. The real mapping counts too,
 * as it does for the kernel's pin: an address no mapping covers, or whose mapping is not
 * writable ({@code mprotect(PROT_READ)}, {@code PROT_NONE}, a read-only shared mapping), is
 * EFAULT even inside a live segment. It is read from {@code /proc/self/maps}; the memory is never
 * touched.
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

    /** Whether the segment is live native memory and a mapping of this process covers its start. */
    @Override
    public boolean isMapped() {
        return mapped && segment.isNative() && segment.scope().isAlive()
                && ProcessMappings.protectionAt(address()) != ProcessMappings.NOT_MAPPED;
    }

    /** Whether the segment is a read-only view or its mapping lacks write permission. */
    @Override
    public boolean isReadOnly() {
        return segment.isReadOnly() || (ProcessMappings.protectionAt(address()) & ProcessMappings.WRITE) == 0;
    }

    /** Size of the wrapped segment (0 for a bare address). */
    public long byteSize() {
        return segment.byteSize();
    }

    @Override
    public String toString() {
        return "UserMemory[0x" + Long.toHexString(address()) + ", " + segment.byteSize() + " bytes"
                + (segment.isReadOnly() ? ", read-only view" : "") + (mapped ? "" : ", bare address") + "]";
    }
}
