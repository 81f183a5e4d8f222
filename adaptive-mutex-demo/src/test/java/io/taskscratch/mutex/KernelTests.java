package io.taskscratch.mutex;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taskscratch.kernel.KernelAvailability;
import io.taskscratch.kernel.KernelBackend;

/**
 * Skips kernel tests, with the reason printed, where the backend cannot run (no root, no libbpf,
 * old kernel) — unless {@code TASKSCRATCH_KERNEL_REQUIRED=1} (CI as root) turns the skip into a failure.
 */
final class KernelTests {
    private KernelTests() {
    }

    /** Prints whether {@code test} runs, and skips it if the kernel backend cannot run here. */
    static void assumeKernel(String test) {
        KernelAvailability a = KernelBackend.availability();
        System.out.println("[adaptive-mutex-demo] " + test + ": kernel backend "
                + (a.available() ? "AVAILABLE, running" : "UNAVAILABLE, skipping: " + a.reason()));
        if (!a.available() && "1".equals(System.getenv("TASKSCRATCH_KERNEL_REQUIRED"))) {
            throw new AssertionError("TASKSCRATCH_KERNEL_REQUIRED=1 but: " + a.reason());
        }
        assumeTrue(a.available(), a.reason());
    }
}
