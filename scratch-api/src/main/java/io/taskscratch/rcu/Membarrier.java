package io.taskscratch.rcu;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The process-wide memory barrier that lets readers skip their own StoreLoad fence: Linux
 * {@code membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)} makes every running thread of this
 * process execute a full barrier before it returns (threads that are not running passed one
 * when they were switched out). liburcu's urcu-memb flavor rests on the same call.
 *
 * <p>{@link #ACTIVE} is decided once: on Linux x86-64 or AArch64 when the kernel supports the
 * command, the registration succeeds and native access is allowed, unless the system property
 * {@code io.taskscratch.rcu.membarrier=false} turns it off. Otherwise readers fence themselves.
 */
final class Membarrier {
    private static final int CMD_QUERY = 0;
    private static final int CMD_PRIVATE_EXPEDITED = 1 << 3;
    private static final int CMD_REGISTER_PRIVATE_EXPEDITED = 1 << 4;

    private static final MethodHandle SYSCALL;
    private static final long SYS_MEMBARRIER;
    /** Whether writers issue membarrier and readers rely on it instead of fencing. */
    static final boolean ACTIVE;

    static {
        long nr = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 324;
            case "aarch64" -> 283;
            default -> -1;
        };
        MethodHandle h = null;
        boolean active = false;
        if (nr > 0 && System.getProperty("os.name").startsWith("Linux")
                && !"false".equals(System.getProperty("io.taskscratch.rcu.membarrier"))) {
            try {
                Linker linker = Linker.nativeLinker();
                h = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                        Linker.Option.firstVariadicArg(1));
                long cmds = (long) h.invokeExact(nr, CMD_QUERY, 0, 0);
                int needed = CMD_PRIVATE_EXPEDITED | CMD_REGISTER_PRIVATE_EXPEDITED;
                active = cmds >= 0 && (cmds & needed) == needed
                        && (long) h.invokeExact(nr, CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
            } catch (Throwable t) {
                // no native access, no libc symbol, or the kernel refuses: readers fence themselves
                active = false;
            }
        }
        SYSCALL = h;
        SYS_MEMBARRIER = nr;
        ACTIVE = active;
    }

    private Membarrier() {
    }

    /**
     * Orders every thread's earlier memory accesses before this call's later ones, as if each
     * had run a full fence: with membarrier when {@link #ACTIVE}, else a local full fence
     * (readers then fence themselves).
     */
    static void global() {
        if (!ACTIVE) {
            VarHandle.fullFence();
            return;
        }
        long r;
        try {
            r = (long) SYSCALL.invokeExact(SYS_MEMBARRIER, CMD_PRIVATE_EXPEDITED, 0, 0);
        } catch (Throwable t) {
            throw new AssertionError("membarrier call failed after a successful registration", t);
        }
        if (r != 0) {
            throw new AssertionError("membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) returned " + r
                    + " after a successful registration");
        }
    }
}
