package io.taskscratch.kernel;

import io.taskscratch.internal.os.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * FFM bindings to Debian's {@code libbpf.so.1} (libbpf ≥ 1.0: functions return {@code -errno}
 * or NULL with {@code errno} set). Only what the backend needs: open an object from memory,
 * load it, attach its program, find its map, update/delete/lookup elements, tear down.
 *
 * <p>Loaded lazily through {@link #load()}, which reports why the library is missing instead of
 * throwing from a static initialiser.
 */
final class Libbpf {
    private static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;
    private static final ValueLayout A = ValueLayout.ADDRESS;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;

    private final MethodHandle openMem;
    private final MethodHandle objectLoad;
    private final MethodHandle findProgram;
    private final MethodHandle attach;
    private final MethodHandle findMapFd;
    private final MethodHandle linkDestroy;
    private final MethodHandle objectClose;
    private final MethodHandle updateElem;
    private final MethodHandle deleteElem;
    private final MethodHandle lookupElem;

    private static volatile Object loaded; // Libbpf or the String reason it is unavailable

    private Libbpf(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        Linker.Option errno = Libc.captureErrno();
        openMem = linker.downcallHandle(find(lib, "bpf_object__open_mem"), FunctionDescriptor.of(A, A, SIZE_T, A), errno);
        objectLoad = linker.downcallHandle(find(lib, "bpf_object__load"), FunctionDescriptor.of(I, A));
        findProgram = linker.downcallHandle(find(lib, "bpf_object__find_program_by_name"), FunctionDescriptor.of(A, A, A));
        attach = linker.downcallHandle(find(lib, "bpf_program__attach"), FunctionDescriptor.of(A, A), errno);
        findMapFd = linker.downcallHandle(find(lib, "bpf_object__find_map_fd_by_name"), FunctionDescriptor.of(I, A, A));
        linkDestroy = linker.downcallHandle(find(lib, "bpf_link__destroy"), FunctionDescriptor.of(I, A));
        objectClose = linker.downcallHandle(find(lib, "bpf_object__close"), FunctionDescriptor.ofVoid(A));
        updateElem = linker.downcallHandle(find(lib, "bpf_map_update_elem"), FunctionDescriptor.of(I, I, A, A, ValueLayout.JAVA_LONG));
        deleteElem = linker.downcallHandle(find(lib, "bpf_map_delete_elem"), FunctionDescriptor.of(I, I, A));
        lookupElem = linker.downcallHandle(find(lib, "bpf_map_lookup_elem"), FunctionDescriptor.of(I, I, A, A));
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libbpf.so.1 has no symbol " + name));
    }

    /**
     * The bindings, or the reason they are unavailable (as a String).
     *
     * @return a {@link Libbpf} or a {@link String} reason
     */
    static Object load() {
        Object l = loaded;
        if (l == null) {
            synchronized (Libbpf.class) {
                l = loaded;
                if (l == null) {
                    try {
                        // The global arena: libbpf stays mapped for the life of the JVM.
                        l = new Libbpf(SymbolLookup.libraryLookup("libbpf.so.1", Arena.global()));
                    } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
                        l = "libbpf.so.1 could not be loaded (" + e.getMessage() + "); install Debian's libbpf1";
                    } catch (IllegalCallerException e) {
                        l = "native access is not enabled: run with --enable-native-access=io.taskscratch.kernel"
                                + " (or ALL-UNNAMED on the class path)";
                    }
                    loaded = l;
                }
            }
        }
        return l;
    }

    /** {@code bpf_object__open_mem(buf, size, NULL)}: the object, or NULL with {@code errnoOut[0]} set. */
    MemorySegment openMem(MemorySegment buf, int[] errnoOut) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.allocateCallState(arena);
            MemorySegment obj = (MemorySegment) openMem.invokeExact(state, buf, buf.byteSize(), MemorySegment.NULL);
            errnoOut[0] = obj.equals(MemorySegment.NULL) ? Libc.errno(state) : 0;
            return obj;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code bpf_object__load}: 0 or {@code -errno}. */
    int objectLoad(MemorySegment obj) {
        try {
            return (int) objectLoad.invokeExact(obj);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code bpf_object__find_program_by_name}: the program or NULL. */
    MemorySegment findProgram(MemorySegment obj, String name) {
        try (Arena arena = Arena.ofConfined()) {
            return (MemorySegment) findProgram.invokeExact(obj, arena.allocateFrom(name));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code bpf_program__attach}: the link, or NULL with {@code errnoOut[0]} set. */
    MemorySegment attach(MemorySegment prog, int[] errnoOut) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.allocateCallState(arena);
            MemorySegment link = (MemorySegment) attach.invokeExact(state, prog);
            errnoOut[0] = link.equals(MemorySegment.NULL) ? Libc.errno(state) : 0;
            return link;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code bpf_object__find_map_fd_by_name}: the fd or {@code -errno}. */
    int findMapFd(MemorySegment obj, String name) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) findMapFd.invokeExact(obj, arena.allocateFrom(name));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code bpf_link__destroy}: detaches the program. */
    void linkDestroy(MemorySegment link) {
        try {
            int ignored = (int) linkDestroy.invokeExact(link);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code bpf_object__close}: frees the object, its programs and maps (fds). */
    void objectClose(MemorySegment obj) {
        try {
            objectClose.invokeExact(obj);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code bpf_map_update_elem}: 0 or {@code -errno}. */
    int updateElem(int mapFd, MemorySegment key, MemorySegment value, long flags) {
        try {
            return (int) updateElem.invokeExact(mapFd, key, value, flags);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code bpf_map_delete_elem}: 0 or {@code -errno}. */
    int deleteElem(int mapFd, MemorySegment key) {
        try {
            return (int) deleteElem.invokeExact(mapFd, key);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code bpf_map_lookup_elem}: 0 or {@code -errno}; the value is copied into {@code value}. */
    int lookupElem(int mapFd, MemorySegment key, MemorySegment value) {
        try {
            return (int) lookupElem.invokeExact(mapFd, key, value);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
