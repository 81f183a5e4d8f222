package io.taskscratch.map;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A map's value struct as its BTF would describe it: a size, uptr fields (8-byte pointers to
 * user memory of a {@link PointeeType}) and an optional {@code bpf_spin_lock}. Placement is
 * validated when the map is created.
 */
public final class ValueType {
    /** Kinds of special fields. */
    public enum FieldKind {
        /** A {@code __uptr} pointer to user memory (8 bytes). */
        UPTR,
        /** A {@code struct bpf_spin_lock} (4 bytes). */
        SPIN_LOCK
    }

    /**
     * One special field.
     *
     * @param kind    the kind
     * @param name    the field name, for messages and {@link MapValue#setUptr}
     * @param offset  byte offset in the value
     * @param pointee the pointee type of a uptr, else {@code null}
     */
    public record Field(FieldKind kind, String name, int offset, PointeeType pointee) {
        /** Size of the field in bytes. */
        public int size() {
            return kind == FieldKind.UPTR ? 8 : 4;
        }
    }

    private final int size;
    private final List<Field> fields;

    private ValueType(int size, List<Field> fields) {
        this.size = size;
        this.fields = List.copyOf(fields);
    }

    /** A value of {@code size} bytes with no fields yet. */
    public static Builder builder(int size) {
        return new Builder(size);
    }

    /** The common value {@code struct { struct sched_scratch __uptr *udata; }}: 8 bytes, one uptr at 0. */
    public static ValueType singleUptr(String field, PointeeType pointee) {
        return builder(8).uptr(field, 0, pointee).build();
    }

    /** The value size in bytes. */
    public int size() {
        return size;
    }

    /** The special fields, in declaration order. */
    public List<Field> fields() {
        return fields;
    }

    /** Whether any field is a uptr. */
    public boolean hasUptr() {
        return fields.stream().anyMatch(f -> f.kind() == FieldKind.UPTR);
    }

    /** Whether the value has a spin lock (needed for {@link MapFlags#F_LOCK}). */
    public boolean hasSpinLock() {
        return fields.stream().anyMatch(f -> f.kind() == FieldKind.SPIN_LOCK);
    }

    int indexOf(String field, FieldKind kind) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).kind() == kind && fields.get(i).name().equals(field)) {
                return i;
            }
        }
        throw new IllegalArgumentException("value has no " + kind + " field \"" + field + "\"");
    }

    /** A zeroed value of this type, for {@link TaskStorageMap#update}. */
    public MapValue newValue() {
        return new MapValue(this);
    }

    @Override
    public String toString() {
        return "ValueType[" + size + " bytes, " + fields + "]";
    }

    /** Collects fields. */
    public static final class Builder {
        private final int size;
        private final List<Field> fields = new ArrayList<>();

        private Builder(int size) {
            this.size = size;
        }

        /** Adds a uptr field at {@code offset} pointing to {@code pointee}. */
        public Builder uptr(String name, int offset, PointeeType pointee) {
            fields.add(new Field(FieldKind.UPTR, Objects.requireNonNull(name, "name"), offset,
                    Objects.requireNonNull(pointee, "pointee")));
            return this;
        }

        /** Adds a {@code bpf_spin_lock} at {@code offset}. */
        public Builder spinLock(int offset) {
            fields.add(new Field(FieldKind.SPIN_LOCK, "lock", offset, null));
            return this;
        }

        /** The value type. */
        public ValueType build() {
            return new ValueType(size, fields);
        }
    }
}
