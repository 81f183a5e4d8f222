package io.taskscratch.bench;

import io.taskscratch.kernel.KernelBackend;
import io.taskscratch.kernel.KernelRegistration;
import io.taskscratch.percpu.CpuSource;

/** The per-CPU benchmarks' kernel source: each thread's region as the kernel backend registered it. */
final class KernelCpuSource {
    private KernelCpuSource() {
    }

    /** A region source named {@code kernel} reading the calling thread's registration in {@code backend}. */
    static CpuSource of(KernelBackend backend) {
        return CpuSource.regions("kernel", () -> {
            KernelRegistration r = backend.registration(Thread.currentThread());
            return r == null ? null : r.region();
        });
    }

    /** Registers the calling benchmark thread with {@code backend}; null (no registration) when the run has no backend. */
    static KernelRegistration register(KernelBackend backend) {
        return backend == null ? null : backend.register();
    }

    /** Closes a registration from {@link #register}; null closes nothing. */
    static void unregister(KernelRegistration registration) {
        if (registration != null) {
            registration.close();
        }
    }
}
