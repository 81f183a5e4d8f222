package io.taskscratch.map;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A map's value struct as its BTF would describe it: a size, uptr fields (8-byte pointers to
 * user memory of a {@link PointeeType}) and an optional {@code bpf_spin_lock}. Placement is
 * validated when the map is created.
 *
 * <p>Which fields are special follows the kernel's {@code btf_parse_fields}
 * ({@code kernel/bpf/btf.c}): a field whose offset is not a multiple of its size (8 for a uptr, 4
 * for a spin lock) is skipped ({@code btf_find_field_one}: "if (off % align) return 0"); if a
 * remaining field starts before the previous one ends (they overlap), the parse fails with
 * EEXIST, which {@code map_check_btf} does not
 * report: the map is created with no special fields at all. Bytes of a field that is not special
 * are plain data, never checked or pinned ({@link #isSpecial}).
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
    /** Per declared field: whether the kernel's record holds it. */
    private final boolean[] special;
    /** Indexes of the special uptr fields, by ascending offset: the kernel's pin order. */
    private final int[] uptrOrder;
    private final boolean hasSpinLock;

    private ValueType(int size, List<Field> fields) {
        this.size = size;
        this.fields = List.copyOf(fields);
        this.special = parseRecord(this.fields);
        this.uptrOrder = IntStream.range(0, this.fields.size())
                .filter(i -> special[i] && this.fields.get(i).kind() == FieldKind.UPTR)
                .boxed().sorted(Comparator.comparingInt(i -> this.fields.get(i).offset()))
                .mapToInt(Integer::intValue).toArray();
        this.hasSpinLock = IntStream.range(0, this.fields.size())
                .anyMatch(i -> special[i] && this.fields.get(i).kind() == FieldKind.SPIN_LOCK);
    }

    /** {@code btf_parse_fields}: aligned fields in declaration order; any overlap voids the whole record. */
    private static boolean[] parseRecord(List<Field> fields) {
        boolean[] special = new boolean[fields.size()];
        int nextOffset = 0;
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (f.offset() < 0 || f.offset() % f.size() != 0) {
                continue;
            }
            if (f.offset() < nextOffset) {
                return new boolean[fields.size()];
            }
            special[i] = true;
            nextOffset = f.offset() + f.size();
        }
        return special;
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

    /** Whether any special field is a uptr. */
    public boolean hasUptr() {
        return uptrOrder.length > 0;
    }

    /** Whether the value has a special spin lock (needed for {@link MapFlags#F_LOCK}). */
    public boolean hasSpinLock() {
        return hasSpinLock;
    }

    /**
     * Whether declared field {@code index} is a special field for the kernel (see the class
     * comment); if not, its bytes are plain data.
     */
    public boolean isSpecial(int index) {
        return special[index];
    }

    /** Indexes of the special uptr fields by ascending offset (the order the kernel pins them). */
    int[] uptrOrder() {
        return uptrOrder;
    }

    int indexOf(String field, FieldKind kind) {
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (f.kind() == kind && f.name().equals(field)) {
                if (!special[i]) {
                    throw new IllegalArgumentException("field \"" + field + "\" at offset " + f.offset() + " is misaligned or"
                            + " overlaps another special field: the kernel treats its bytes as plain data, not as a " + kind);
                }
                return i;
            }
        }
        throw new IllegalArgumentException("value has no " + kind + " field \"" + field + "\"");
    }

    /** The special uptr field that {@code width} bytes at {@code offset} overlap, or {@code null}. */
    public Field uptrOverlapping(int offset, int width) {
        for (int i : uptrOrder) {
            Field f = fields.get(i);
            if (offset < f.offset() + f.size() && f.offset() < offset + width) {
                return f;
            }
        }
        return null;
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
