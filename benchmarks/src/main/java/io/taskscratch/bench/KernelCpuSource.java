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
}
