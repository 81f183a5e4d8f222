package io.taskscratch.internal.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * FFM bindings to the few libc functions taskscratch needs: {@code sysconf(_SC_PAGESIZE)},
 * {@code mlock}/{@code munlock}, {@code mincore}, {@code gettid}, {@code getrlimit},
 * {@code open}/{@code close}, {@code pidfd_open} and {@code sched_getcpu}.
 * Calls that can fail return the C {@code errno} (captured with
 * {@link Linker.Option#captureCallState}) instead of throwing, so callers build the
 * message that names their argument.
 */
public final class Libc {
    /** {@code _SC_PAGESIZE} on Linux (glibc and musl, every architecture). */
    private static final int SC_PAGESIZE = 30;
    /** {@code RLIMIT_MEMLOCK} on the generic Linux ABI (x86-64, arm64, riscv64). */
    private static final int RLIMIT_MEMLOCK = 8;
    /** {@code RLIM_INFINITY} as an unsigned 64-bit value. */
    public static final long RLIM_INFINITY = -1L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SYSCONF = downcall("sysconf",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle MLOCK = downcall("mlock",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle MUNLOCK = downcall("munlock",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle MINCORE = downcall("mincore",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            CAPTURE_ERRNO);
    private static final MethodHandle GETTID = downcall("gettid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    // critical: sched_getcpu neither blocks nor calls back (glibc reads rseq's cpu_id, or the vDSO),
    // so the downcall may skip the thread-state transition that costs more than the call itself.
    private static final MethodHandle SCHED_GETCPU = downcall("sched_getcpu",
            FunctionDescriptor.of(ValueLayout.JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle GETRLIMIT = downcall("getrlimit",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), CAPTURE_ERRNO);

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SYSCALL2 = downcall("syscall",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    /** {@code O_RDONLY | O_CLOEXEC}. */
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    /** {@code __NR_pidfd_open}: the same number on every architecture (the unified syscall table). */
    private static final long SYS_PIDFD_OPEN = 434;
    /** {@code PIDFD_THREAD} ({@code O_EXCL}): a pidfd for a thread that need not lead its group (Linux 6.9). */
    public static final int PIDFD_THREAD = 0x80;

    private static final long PAGE_SIZE = queryPageSize();

    private Libc() {
    }

    /**
     * A downcall handle for the libc symbol {@code name} (for sibling bindings such as
     * scratch-kernel's; pass {@link #captureErrno()} to get {@code errno} back).
     *
     * @throws UnsatisfiedLinkError if libc has no such symbol
     */
    public static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol " + name + " not found"));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private static long queryPageSize() {
        try {
            long size = (long) SYSCONF.invokeExact(SC_PAGESIZE);
            if (size <= 0 || Long.bitCount(size) != 1) {
                throw new IllegalStateException("sysconf(_SC_PAGESIZE) returned " + size);
            }
            return size;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The OS page size in bytes (4 KiB on x86-64, 4/16/64 KiB on arm64). */
    public static long pageSize() {
        return PAGE_SIZE;
    }

    /** {@code mlock(2)} over the segment; 0 on success, else {@code errno}. */
    public static int mlock(MemorySegment segment) {
        return lockCall(MLOCK, segment);
    }

    /** {@code munlock(2)} over the segment; 0 on success, else {@code errno}. */
    public static int munlock(MemorySegment segment) {
        return lockCall(MUNLOCK, segment);
    }

    private static int lockCall(MethodHandle handle, MemorySegment segment) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) handle.invokeExact(state, segment, segment.byteSize());
            return rc == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code mincore(2)}: residency of each page of a page-aligned segment.
     *
     * @return one entry per page, or {@code null} if the call failed
     */
    public static boolean[] mincore(MemorySegment pageAligned) {
        long pages = (pageAligned.byteSize() + PAGE_SIZE - 1) / PAGE_SIZE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment vec = arena.allocate(pages);
            int rc = (int) MINCORE.invokeExact(state, pageAligned, pageAligned.byteSize(), vec);
            if (rc != 0) {
                return null;
            }
            boolean[] resident = new boolean[(int) pages];
            for (int i = 0; i < resident.length; i++) {
                resident[i] = (vec.get(ValueLayout.JAVA_BYTE, i) & 1) != 0;
            }
            return resident;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code gettid(2)}: the calling thread's OS thread id. */
    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code sched_getcpu(3)}: the CPU the calling thread runs on (on glibc ≥ 2.35 a load from
     * the thread's rseq area), already stale if the thread is migrated right after.
     *
     * @return the CPU number, or -1 if the kernel cannot tell
     */
    public static int schedGetcpu() {
        try {
            return (int) SCHED_GETCPU.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code getrlimit(RLIMIT_MEMLOCK)}.
     *
     * @return {soft, hard} in bytes ({@link #RLIM_INFINITY} for unlimited), or {@code null} on failure
     */
    public static long[] memlockLimit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment rlim = arena.allocate(ValueLayout.JAVA_LONG, 2);
            int rc = (int) GETRLIMIT.invokeExact(state, RLIMIT_MEMLOCK, rlim);
            return rc != 0 ? null : new long[] {rlim.getAtIndex(ValueLayout.JAVA_LONG, 0), rlim.getAtIndex(ValueLayout.JAVA_LONG, 1)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code open("/dev/null", O_RDONLY | O_CLOEXEC)}: a new fd, or {@code -errno}. */
    public static int openDevNull() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom("/dev/null"), O_RDONLY_CLOEXEC);
            return fd < 0 ? -(int) ERRNO.get(state, 0L) : fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code pidfd_open(pid, flags)}: a new fd, or {@code -errno}. */
    public static int pidfdOpen(int pid, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            long rc = (long) SYSCALL2.invokeExact(state, SYS_PIDFD_OPEN, pid, flags);
            return rc < 0 ? -(int) ERRNO.get(state, 0L) : (int) rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code close(fd)}, errors ignored (callers close an fd they own, once). */
    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The linker option that captures {@code errno}; the handle then takes a call-state segment first. */
    public static Linker.Option captureErrno() {
        return CAPTURE_ERRNO;
    }

    /** A call-state segment for a handle made with {@link #captureErrno()}. */
    public static MemorySegment allocateCallState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    /** The {@code errno} a call stored into {@code state} (from {@link #allocateCallState}). */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /**
     * What to throw after {@code MethodHandle.invokeExact} failed: runtime exceptions and errors
     * as they are, anything else wrapped.
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
