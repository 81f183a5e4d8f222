package io.taskscratch.kernel;

import io.taskscratch.map.ValueType;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * A real {@code BPF_MAP_TYPE_TASK_STORAGE} map whose value BTF mirrors a simulated
 * {@link ValueType}: every uptr field becomes {@code struct pointee_i __uptr *} (pointer →
 * type tag "uptr" → a struct of the pointee's size; a kernel-owned pointee keeps its name, e.g.
 * {@code task_struct}), every spin lock a {@code struct
 * bpf_spin_lock}, at the field's offset. The BTF is built with libbpf's {@code btf__add_*} API and
 * loaded, then the map is created with it, so the kernel's own create-time rules
 * ({@code btf_parse_fields}) and update rules apply. Test code only: no program uses the map.
 */
final class KernelTestMap implements AutoCloseable {
    private static final int BPF_MAP_TYPE_TASK_STORAGE = 29;
    private static final int BPF_F_NO_PREALLOC = 1;
    private static final int BTF_INT_SIGNED = 1;
    /** {@code sizeof(struct bpf_map_create_opts)} in libbpf 1.x (last field {@code map_ifindex}). */
    private static final int CREATE_OPTS_SIZE = 48;

    private static final MethodHandle NEW_EMPTY;
    private static final MethodHandle ADD_INT;
    private static final MethodHandle ADD_STRUCT;
    private static final MethodHandle ADD_FIELD;
    private static final MethodHandle ADD_PTR;
    private static final MethodHandle ADD_TYPE_TAG;
    private static final MethodHandle LOAD;
    private static final MethodHandle BTF_FD;
    private static final MethodHandle FREE;
    private static final MethodHandle MAP_CREATE;
    private static final MethodHandle UPDATE;
    private static final MethodHandle DELETE;
    private static final MethodHandle CLOSE;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
        ValueLayout a = ValueLayout.ADDRESS;
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        NEW_EMPTY = linker.downcallHandle(lib.findOrThrow("btf__new_empty"), FunctionDescriptor.of(a));
        ADD_INT = linker.downcallHandle(lib.findOrThrow("btf__add_int"), FunctionDescriptor.of(i, a, a, ValueLayout.JAVA_LONG, i));
        ADD_STRUCT = linker.downcallHandle(lib.findOrThrow("btf__add_struct"), FunctionDescriptor.of(i, a, a, i));
        ADD_FIELD = linker.downcallHandle(lib.findOrThrow("btf__add_field"), FunctionDescriptor.of(i, a, a, i, i, i));
        ADD_PTR = linker.downcallHandle(lib.findOrThrow("btf__add_ptr"), FunctionDescriptor.of(i, a, i));
        ADD_TYPE_TAG = linker.downcallHandle(lib.findOrThrow("btf__add_type_tag"), FunctionDescriptor.of(i, a, a, i));
        LOAD = linker.downcallHandle(lib.findOrThrow("btf__load_into_kernel"), FunctionDescriptor.of(i, a));
        BTF_FD = linker.downcallHandle(lib.findOrThrow("btf__fd"), FunctionDescriptor.of(i, a));
        FREE = linker.downcallHandle(lib.findOrThrow("btf__free"), FunctionDescriptor.ofVoid(a));
        MAP_CREATE = linker.downcallHandle(lib.findOrThrow("bpf_map_create"),
                FunctionDescriptor.of(i, i, a, i, i, i, a));
        UPDATE = linker.downcallHandle(lib.findOrThrow("bpf_map_update_elem"), FunctionDescriptor.of(i, i, a, a, ValueLayout.JAVA_LONG));
        DELETE = linker.downcallHandle(lib.findOrThrow("bpf_map_delete_elem"), FunctionDescriptor.of(i, i, a));
        CLOSE = linker.downcallHandle(linker.defaultLookup().findOrThrow("close"), FunctionDescriptor.of(i, i));
    }

    private final ValueType type;
    private final int fd;

    private KernelTestMap(ValueType type, int fd) {
        this.type = type;
        this.fd = fd;
    }

    /**
     * Loads {@code type}'s BTF and creates the map.
     *
     * @return the map, or the kernel's {@code -errno} of the BTF load or the map creation as an {@link Integer}
     */
    static Object create(ValueType type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment btf = (MemorySegment) NEW_EMPTY.invokeExact();
            try {
                int intId = (int) ADD_INT.invokeExact(btf, arena.allocateFrom("int"), 4L, BTF_INT_SIGNED);
                List<ValueType.Field> fields = type.fields();
                int[] fieldType = new int[fields.size()];
                int lockId = 0;
                for (int f = 0; f < fields.size(); f++) {
                    ValueType.Field field = fields.get(f);
                    if (field.kind() == ValueType.FieldKind.UPTR) {
                        // A kernel-owned pointee keeps its name: the kernel resolves it in vmlinux BTF.
                        String pointeeName = field.pointee().kernelOwned() ? field.pointee().name() : "pointee_" + f;
                        int pointee = (int) ADD_STRUCT.invokeExact(btf, arena.allocateFrom(pointeeName), field.pointee().size());
                        if (field.pointee().size() >= 4) {
                            check((int) ADD_FIELD.invokeExact(btf, arena.allocateFrom("a"), intId, 0, 0), "btf__add_field");
                        }
                        int tag = (int) ADD_TYPE_TAG.invokeExact(btf, arena.allocateFrom("uptr"), pointee);
                        fieldType[f] = (int) ADD_PTR.invokeExact(btf, tag);
                    } else {
                        if (lockId == 0) {
                            lockId = (int) ADD_STRUCT.invokeExact(btf, arena.allocateFrom("bpf_spin_lock"), 4);
                            check((int) ADD_FIELD.invokeExact(btf, arena.allocateFrom("val"), intId, 0, 0), "btf__add_field");
                        }
                        fieldType[f] = lockId;
                    }
                }
                int valueId = (int) ADD_STRUCT.invokeExact(btf, arena.allocateFrom("value"), type.size());
                for (int f = 0; f < fields.size(); f++) {
                    check((int) ADD_FIELD.invokeExact(btf, arena.allocateFrom(fields.get(f).name()), fieldType[f],
                            fields.get(f).offset() * 8, 0), "btf__add_field " + fields.get(f));
                }
                int rc = (int) LOAD.invokeExact(btf);
                if (rc < 0) {
                    return rc;
                }
                MemorySegment opts = arena.allocate(CREATE_OPTS_SIZE, 8);
                opts.set(ValueLayout.JAVA_LONG, 0, CREATE_OPTS_SIZE);
                opts.set(ValueLayout.JAVA_INT, 8, (int) BTF_FD.invokeExact(btf));
                opts.set(ValueLayout.JAVA_INT, 12, intId);
                opts.set(ValueLayout.JAVA_INT, 16, valueId);
                opts.set(ValueLayout.JAVA_INT, 28, BPF_F_NO_PREALLOC);
                int fd = (int) MAP_CREATE.invokeExact(BPF_MAP_TYPE_TASK_STORAGE, arena.allocateFrom("ts_test"), 4, type.size(), 0, opts);
                return fd < 0 ? (Object) fd : new KernelTestMap(type, fd);
            } finally {
                FREE.invokeExact(btf);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("libbpf call failed", t);
        }
    }

    private static void check(int rc, String what) {
        if (rc < 0) {
            throw new IllegalStateException(what + ": " + rc);
        }
    }

    /**
     * {@code bpf_map_update_elem(map, &key, value, flags)} with a value whose uptr fields hold
     * {@code addresses} (one per declared field; ignored for spin locks).
     *
     * @return 0 or {@code -errno}
     */
    int update(int key, long[] addresses, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_INT, key);
            MemorySegment v = arena.allocate(type.size(), 8);
            List<ValueType.Field> fields = type.fields();
            for (int f = 0; f < fields.size(); f++) {
                if (fields.get(f).kind() == ValueType.FieldKind.UPTR) {
                    v.set(ValueLayout.JAVA_LONG_UNALIGNED, fields.get(f).offset(), addresses[f]);
                }
            }
            return (int) UPDATE.invokeExact(fd, k, v, flags);
        } catch (Throwable t) {
            throw new IllegalStateException("bpf_map_update_elem failed", t);
        }
    }

    /** {@code bpf_map_delete_elem(map, &key)}: 0 or {@code -errno}. */
    int delete(int key) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) DELETE.invokeExact(fd, arena.allocateFrom(ValueLayout.JAVA_INT, key));
        } catch (Throwable t) {
            throw new IllegalStateException("bpf_map_delete_elem failed", t);
        }
    }

    /** Closes the map fd (the kernel frees the map and unpins what is left). */
    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close failed", t);
        }
    }
}
