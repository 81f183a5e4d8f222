package io.taskscratch.region;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.internal.Pins;
import io.taskscratch.task.TaskHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * One task's scratch region: the §3 sched-state header followed by the layout's keys, carved
 * from a slab of (normally pinned) pages. Never crosses a page boundary.
 *
 * <p>Implementation overview. The region's bytes are a slice of its slab, re-scoped to an
 * arena of the region's own ({@link MemorySegment#reinterpret(Arena, java.util.function.Consumer)}):
 * {@link #close()} closes that arena, which is a JVM handshake after which no thread can be
 * mid-access, and every later access throws {@link IllegalStateException} instead of touching
 * the slot. The slot goes back to the slab only after a grace period, zeroed. A region that is
 * registered in a map (pinned by a uptr element) refuses to close with {@code EBUSY}: its
 * memory cannot be freed while a program may still write it (the TLD hazard of docs/design.md §4).
 *
 * <p>Header writes follow the seqcount protocol: {@link #beginWrite()} makes {@code seq} odd,
 * plain stores update the fields, {@link #endWrite(int)} makes it even again with release
 * semantics. {@link #snapshot()} retries until it has read every field under one unchanged even
 * {@code seq}. Single-field reads such as {@link #onCpu()} are opaque loads: a coherent hint,
 * no ordering with other fields needed, and they do not allocate.
 */
public final class ScratchRegion implements UptrTarget, AutoCloseable {
    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final RegionAllocator allocator;
    private final RegionAllocator.Slab slab;
    private final int slot;
    private final long id;
    private final Arena arena;
    private final MemorySegment segment;
    private final TaskHandle owner;
    private boolean freed; // guarded by this

    ScratchRegion(RegionAllocator allocator, RegionAllocator.Slab slab, int slot, long id, TaskHandle owner) {
        this.allocator = allocator;
        this.slab = slab;
        this.slot = slot;
        this.id = id;
        this.owner = owner;
        this.arena = Arena.ofShared();
        long offset = (long) slot * allocator.layout().stride();
        this.segment = slab.pages.asSlice(offset, allocator.layout().regionSize()).reinterpret(arena, null);
        // Published to other threads through the map (synchronized) or a final field: plain is enough.
        INT.set(segment, (long) RegionAbi.ABI_VERSION_OFFSET, RegionAbi.ABI_VERSION);
    }

    /** A process-unique id, for messages and reports. */
    public long id() {
        return id;
    }

    /** The layout (keys) of this region. */
    public RegionLayout layout() {
        return allocator.layout();
    }

    /** The task this region was allocated for, or {@code null}. */
    public TaskHandle owner() {
        return owner;
    }

    /** An id of the page the region lives on (its slab page), for residency models. */
    public long pageId() {
        return slab.id;
    }

    /**
     * Whether the region's page is pinned: its slab is {@code mlock}ed ({@link PinMode#PINNED}),
     * or a map's uptr element currently pins it.
     */
    public boolean isPinned() {
        return slab.pinned || Pins.isPinned(this);
    }

    /** Whether {@link #close()} has freed the region. */
    public synchronized boolean isFreed() {
        return freed;
    }

    // ---- header ------------------------------------------------------------------------

    /** {@code on_cpu != 0}, an opaque load: a hint whose freshness matters, not its order with other fields. */
    public boolean onCpu() {
        try {
            return (int) INT.getOpaque(segment, (long) RegionAbi.ON_CPU_OFFSET) != 0;
        } catch (IllegalStateException e) {
            throw afterFree(e);
        }
    }

    /** The ABI version the region was initialised with ({@link RegionAbi#ABI_VERSION}). */
    public int abiVersion() {
        return (int) get(HeaderField.ABI_VERSION, MemoryOrder.PLAIN);
    }

    /** Reads one header field with the given ordering; u32 fields are returned zero-extended. */
    public long get(HeaderField field, MemoryOrder order) {
        long v = load(field.offset(), field.size(), order);
        return field.size() == 4 ? v & 0xFFFF_FFFFL : v;
    }

    /**
     * Stores one header field (u32 fields take the low 32 bits). Inside
     * {@link #beginWrite()}/{@link #endWrite(int)} plain is enough; outside, use at least opaque.
     *
     * @throws IllegalArgumentException for {@code SEQ} and {@code ABI_VERSION}
     */
    public void set(HeaderField field, long value, MemoryOrder order) {
        if (!field.isWritable()) {
            throw new IllegalArgumentException("header field " + field + " is not writable");
        }
        store(field.offset(), field.size(), value, order);
    }

    /**
     * Starts a header update: waits for {@code seq} to be even and CASes it to odd. The CAS
     * (volatile) keeps the following stores from moving before it, so a reader that sees the
     * new data also sees an odd or changed seq.
     *
     * @return the token for {@link #endWrite(int)}
     */
    public int beginWrite() {
        try {
            while (true) {
                int s = (int) INT.getVolatile(segment, (long) RegionAbi.SEQ_OFFSET);
                if ((s & 1) == 0 && INT.compareAndSet(segment, (long) RegionAbi.SEQ_OFFSET, s, s + 1)) {
                    return s + 1;
                }
                Thread.onSpinWait();
            }
        } catch (IllegalStateException e) {
            throw afterFree(e);
        }
    }

    /**
     * Ends the update begun with {@link #beginWrite()}: a release store of the next even seq,
     * so the field stores are visible before it.
     *
     * @throws IllegalArgumentException if {@code token} is not the current odd seq
     */
    public void endWrite(int token) {
        try {
            int s = (int) INT.getOpaque(segment, (long) RegionAbi.SEQ_OFFSET);
            if (s != token || (token & 1) == 0) {
                throw new IllegalArgumentException("endWrite token " + token + " does not match seq " + s);
            }
            INT.setRelease(segment, (long) RegionAbi.SEQ_OFFSET, token + 1);
        } catch (IllegalStateException e) {
            throw afterFree(e);
        }
    }

    /**
     * A seqlock-consistent copy of the header: reads seq (acquire), the fields (opaque, so no
     * 64-bit tearing), a load-load fence, seq again; retries while seq is odd or changed.
     */
    public HeaderSnapshot snapshot() {
        try {
            for (int spins = 0; ; spins++) {
                int s1 = (int) INT.getAcquire(segment, (long) RegionAbi.SEQ_OFFSET);
                if ((s1 & 1) == 0) {
                    int abi = (int) INT.getOpaque(segment, (long) RegionAbi.ABI_VERSION_OFFSET);
                    int on = (int) INT.getOpaque(segment, (long) RegionAbi.ON_CPU_OFFSET);
                    int cpu = (int) INT.getOpaque(segment, (long) RegionAbi.CPU_OFFSET);
                    long sw = (long) LONG.getOpaque(segment, (long) RegionAbi.SWITCHES_OFFSET);
                    long last = (long) LONG.getOpaque(segment, (long) RegionAbi.LAST_SWITCH_NS_OFFSET);
                    int mig = (int) INT.getOpaque(segment, (long) RegionAbi.MIGRATIONS_OFFSET);
                    int pre = (int) INT.getOpaque(segment, (long) RegionAbi.PREEMPTIONS_OFFSET);
                    VarHandle.loadLoadFence();
                    if ((int) INT.getOpaque(segment, (long) RegionAbi.SEQ_OFFSET) == s1) {
                        return new HeaderSnapshot(s1, abi, on != 0, cpu, sw, last, mig, pre);
                    }
                }
                if (spins < 100) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        } catch (IllegalStateException e) {
            throw afterFree(e);
        }
    }

    // ---- keys --------------------------------------------------------------------------

    /** Reads a 1-byte key. */
    public byte getByte(Key key, MemoryOrder order) {
        return (byte) load(check(key, 1), 1, order);
    }

    /** Stores a 1-byte key. */
    public void putByte(Key key, byte value, MemoryOrder order) {
        store(check(key, 1), 1, value, order);
    }

    /** Reads a 2-byte key. */
    public short getShort(Key key, MemoryOrder order) {
        return (short) load(check(key, 2), 2, order);
    }

    /** Stores a 2-byte key. */
    public void putShort(Key key, short value, MemoryOrder order) {
        store(check(key, 2), 2, value, order);
    }

    /** Reads a 4-byte key. */
    public int getInt(Key key, MemoryOrder order) {
        return (int) load(check(key, 4), 4, order);
    }

    /** Stores a 4-byte key. */
    public void putInt(Key key, int value, MemoryOrder order) {
        store(check(key, 4), 4, value, order);
    }

    /** Reads an 8-byte key. */
    public long getLong(Key key, MemoryOrder order) {
        return load(check(key, 8), 8, order);
    }

    /** Stores an 8-byte key. */
    public void putLong(Key key, long value, MemoryOrder order) {
        store(check(key, 8), 8, value, order);
    }

    /** Copies a key of any size out (plain loads: guard with the seqcount or your own protocol). */
    public byte[] getBytes(Key key) {
        long off = check(key, key.size());
        try {
            return segment.asSlice(off, key.size()).toArray(ValueLayout.JAVA_BYTE);
        } catch (IllegalStateException e) {
            throw afterFree(e);
        }
    }

    /**
     * Copies {@code value} into a key of any size (plain stores).
     *
     * @throws IllegalArgumentException if the length differs from the key size
     */
    public void putBytes(Key key, byte[] value) {
        long off = check(key, value.length);
        try {
            MemorySegment.copy(value, 0, segment, ValueLayout.JAVA_BYTE, off, value.length);
        } catch (IllegalStateException e) {
            throw afterFree(e);
        }
    }

    private long check(Key key, int width) {
        if (key.layout() != allocator.layout()) {
            throw new IllegalArgumentException(key + " belongs to another layout than region #" + id);
        }
        if (key.size() != width) {
            throw new IllegalArgumentException(key + " has size " + key.size() + ", the access needs " + width);
        }
        return key.offset();
    }

    private long load(long off, int width, MemoryOrder o) {
        try {
            return switch (width) {
                case 1 -> switch (o) {
                    case PLAIN -> (byte) BYTE.get(segment, off);
                    case OPAQUE -> (byte) BYTE.getOpaque(segment, off);
                    case ACQUIRE_RELEASE -> (byte) BYTE.getAcquire(segment, off);
                    case VOLATILE -> (byte) BYTE.getVolatile(segment, off);
                };
                case 2 -> switch (o) {
                    case PLAIN -> (short) SHORT.get(segment, off);
                    case OPAQUE -> (short) SHORT.getOpaque(segment, off);
                    case ACQUIRE_RELEASE -> (short) SHORT.getAcquire(segment, off);
                    case VOLATILE -> (short) SHORT.getVolatile(segment, off);
                };
                case 4 -> switch (o) {
                    case PLAIN -> (int) INT.get(segment, off);
                    case OPAQUE -> (int) INT.getOpaque(segment, off);
                    case ACQUIRE_RELEASE -> (int) INT.getAcquire(segment, off);
                    case VOLATILE -> (int) INT.getVolatile(segment, off);
                };
                default -> switch (o) {
                    case PLAIN -> (long) LONG.get(segment, off);
                    case OPAQUE -> (long) LONG.getOpaque(segment, off);
                    case ACQUIRE_RELEASE -> (long) LONG.getAcquire(segment, off);
                    case VOLATILE -> (long) LONG.getVolatile(segment, off);
                };
            };
        } catch (IllegalStateException e) {
            throw afterFree(e);
        }
    }

    private void store(long off, int width, long v, MemoryOrder o) {
        try {
            switch (width) {
                case 1 -> {
                    switch (o) {
                        case PLAIN -> BYTE.set(segment, off, (byte) v);
                        case OPAQUE -> BYTE.setOpaque(segment, off, (byte) v);
                        case ACQUIRE_RELEASE -> BYTE.setRelease(segment, off, (byte) v);
                        case VOLATILE -> BYTE.setVolatile(segment, off, (byte) v);
                    }
                }
                case 2 -> {
                    switch (o) {
                        case PLAIN -> SHORT.set(segment, off, (short) v);
                        case OPAQUE -> SHORT.setOpaque(segment, off, (short) v);
                        case ACQUIRE_RELEASE -> SHORT.setRelease(segment, off, (short) v);
                        case VOLATILE -> SHORT.setVolatile(segment, off, (short) v);
                    }
                }
                case 4 -> {
                    switch (o) {
                        case PLAIN -> INT.set(segment, off, (int) v);
                        case OPAQUE -> INT.setOpaque(segment, off, (int) v);
                        case ACQUIRE_RELEASE -> INT.setRelease(segment, off, (int) v);
                        case VOLATILE -> INT.setVolatile(segment, off, (int) v);
                    }
                }
                default -> {
                    switch (o) {
                        case PLAIN -> LONG.set(segment, off, v);
                        case OPAQUE -> LONG.setOpaque(segment, off, v);
                        case ACQUIRE_RELEASE -> LONG.setRelease(segment, off, v);
                        case VOLATILE -> LONG.setVolatile(segment, off, v);
                    }
                }
            }
        } catch (IllegalStateException e) {
            throw afterFree(e);
        }
    }

    private IllegalStateException afterFree(IllegalStateException cause) {
        return new IllegalStateException("region #" + id + " was freed: access after free", cause);
    }

    // ---- UptrTarget --------------------------------------------------------------------

    /** The region's memory (scoped to the region: accesses throw after {@link #close()}). */
    @Override
    public MemorySegment segment() {
        return segment;
    }

    /** False once {@link #close()} has begun (checked under the region's lock by pinning maps). */
    @Override
    public synchronized boolean isMapped() {
        return !freed && segment.scope().isAlive();
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    /**
     * Frees the region, exactly once. The slot is reused only after a grace period.
     *
     * @throws ScratchException      EBUSY while a map element still registers (pins) the region,
     *                               naming the map and task: delete the element first
     * @throws IllegalStateException if the region was already freed
     */
    @Override
    public void close() {
        synchronized (this) {
            if (freed) {
                throw new IllegalStateException("region #" + id + " was already freed (a region is freed exactly once)");
            }
            List<String> holders = Pins.holders(this);
            if (!holders.isEmpty()) {
                throw new ScratchException(Errno.EBUSY, "region #" + id + ": still registered in "
                        + holders.getFirst() + (holders.size() > 1 ? " (and " + (holders.size() - 1) + " more)" : "")
                        + "; delete the map element before freeing its memory");
            }
            freed = true;
        }
        arena.close();
        allocator.release(slab, slot);
    }

    @Override
    public String toString() {
        return "ScratchRegion#" + id + (owner != null ? "[" + owner + "]" : "");
    }
}
