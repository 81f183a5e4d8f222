package io.taskscratch.kernel;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;

/** Turns a kernel {@code errno} into the {@link Errno} the simulated map reports for the same rule. */
final class KernelErrors {
    private KernelErrors() {
    }

    /** The {@link Errno} with this number, or {@code null} if taskscratch has no constant for it. */
    static Errno of(int errno) {
        for (Errno e : Errno.values()) {
            if (e.code() == errno) {
                return e;
            }
        }
        return null;
    }

    /**
     * An exception for a failed kernel call: the matching {@link Errno} (EINVAL for a number
     * taskscratch has no constant for, with the raw number in the message).
     *
     * @param errno    positive kernel error number
     * @param argument what the message names: the call and the argument it refused
     */
    static ScratchException failure(int errno, String argument) {
        Errno e = of(errno);
        return e != null
                ? new ScratchException(e, argument + ": kernel returned " + e + " (" + errno + ")" + hint(e))
                : new ScratchException(Errno.EINVAL, argument + ": kernel returned errno " + errno
                        + " (no taskscratch Errno constant)");
    }

    private static String hint(Errno e) {
        return switch (e) {
            case EPERM -> "; loading tracing programs needs root or CAP_BPF + CAP_PERFMON";
            case EOPNOTSUPP -> "; a uptr struct may not cross a page boundary";
            case EFAULT -> "; the memory must be mapped and writable";
            default -> "";
        };
    }
}
