package io.taskscratch.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Skips kernel tests, with the reason printed, where the backend cannot run (no root, no libbpf,
 * old kernel) — unless the environment variable {@code TASKSCRATCH_KERNEL_REQUIRED=1} is set (CI
 * as root sets it), which turns a skip into a failure.
 */
final class KernelAssumptions {
    private KernelAssumptions() {
    }

    /** Prints whether the kernel tests run, and skips the calling test if they cannot. */
    static void assumeKernel(String test) {
        KernelAvailability a = KernelBackend.availability();
        System.out.println("[scratch-kernel] " + test + ": kernel backend " + (a.available() ? "AVAILABLE, running" : "UNAVAILABLE, skipping: " + a.reason()));
        if (!a.available() && "1".equals(System.getenv("TASKSCRATCH_KERNEL_REQUIRED"))) {
            throw new AssertionError("TASKSCRATCH_KERNEL_REQUIRED=1 but the kernel backend is unavailable: " + a.reason());
        }
        assumeTrue(a.available(), a.reason());
    }
}
