package io.taskscratch.kernel;

import io.taskscratch.internal.os.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The system calls the kernel backend needs: {@code pidfd_open} and {@code close} (from
 * scratch-api's {@link Libc}), {@code getpid} and {@code membarrier(MEMBARRIER_CMD_GLOBAL)}
 * (a kernel RCU grace period, after which no BPF program invocation still sees a deleted element).
 * Failing calls return {@code -errno}.
 */
final class Sys {
    /** {@code PIDFD_THREAD} (= {@code O_EXCL}): a pidfd for a thread that need not be a group leader. */
    static final int PIDFD_THREAD = Libc.PIDFD_THREAD;
    private static final int MEMBARRIER_CMD_GLOBAL = 1;
    private static final long SYS_MEMBARRIER = switch (System.getProperty("os.arch")) {
        case "aarch64" -> 283;
        default -> 324; // x86-64
    };

    private static final MethodHandle SYSCALL2 = Libc.downcall("syscall",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Libc.captureErrno(), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle GETPID = Libc.downcall("getpid",
            FunctionDescriptor.of(ValueLayout.JAVA_INT));

    private Sys() {
    }

    /** {@code pidfd_open(pid, flags)}: a new fd, or {@code -errno}. */
    static int pidfdOpen(int pid, int flags) {
        return Libc.pidfdOpen(pid, flags);
    }

    /** {@code membarrier(MEMBARRIER_CMD_GLOBAL, 0)}: returns after a kernel RCU grace period; 0 or {@code -errno}. */
    static int synchronizeKernelRcu() {
        return (int) syscall2(SYS_MEMBARRIER, MEMBARRIER_CMD_GLOBAL, 0);
    }

    private static long syscall2(long nr, int a, int b) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.allocateCallState(arena);
            long rc = (long) SYSCALL2.invokeExact(state, nr, a, b);
            return rc < 0 ? -Libc.errno(state) : rc;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code close(fd)}, errors ignored (the fd is ours and is closed exactly once). */
    static void close(int fd) {
        Libc.close(fd);
    }

    /** This process's id (the thread-group id of every Java thread). */
    static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
