package io.taskscratch.map;

import io.taskscratch.region.UptrTarget;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A user-side map value: the value's bytes plus the targets of its uptr fields (objects, never
 * addresses). Passed to {@link TaskStorageMap#update}; returned by {@link TaskStorageMap#lookup}
 * with every uptr {@code null}, as the kernel returns NULL for uptr fields.
 */
public final class MapValue {
    private final ValueType type;
    private final byte[] data;
    private final UptrTarget[] uptrs;

    MapValue(ValueType type) {
        this(type, new byte[type.size()], new UptrTarget[type.fields().size()]);
    }

    MapValue(ValueType type, byte[] data, UptrTarget[] uptrs) {
        this.type = type;
        this.data = data;
        this.uptrs = uptrs;
    }

    /** The value type. */
    public ValueType type() {
        return type;
    }

    /**
     * The value's bytes, writable (a heap segment). Bytes under recognised uptr fields are ignored
     * by {@code update} and read as zero from {@code lookup}; an unrecognised (misaligned) uptr
     * field's bytes are plain data, stored and returned as they are.
     */
    public MemorySegment data() {
        return MemorySegment.ofArray(data);
    }

    /** A copy of the value's bytes. */
    public byte[] toByteArray() {
        return data.clone();
    }

    /**
     * Sets a uptr field; {@code null} means NULL (an update then clears the previous pin).
     *
     * @throws IllegalArgumentException if there is no such uptr field, or it is plain data (misaligned or
     *                                  overlapping, see {@link ValueType})
     */
    public MapValue setUptr(String field, UptrTarget target) {
        uptrs[type.indexOf(field, ValueType.FieldKind.UPTR)] = target;
        return this;
    }

    /** The target of a uptr field, or {@code null}. */
    public UptrTarget uptr(String field) {
        return uptrs[type.indexOf(field, ValueType.FieldKind.UPTR)];
    }

    UptrTarget uptrAt(int fieldIndex) {
        return uptrs[fieldIndex];
    }

    /** The bytes with every uptr field zeroed, as an element stores them. */
    byte[] bytesWithoutPointers() {
        byte[] copy = data.clone();
        for (int i : type.uptrOrder()) {
            ValueType.Field f = type.fields().get(i);
            Arrays.fill(copy, f.offset(), f.offset() + f.size(), (byte) 0);
        }
        return copy;
    }

    @Override
    public String toString() {
        return "MapValue[" + type.size() + " bytes, uptrs " + Arrays.toString(uptrs) + "]";
    }
}
