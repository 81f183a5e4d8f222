/**
 * taskscratch's real kernel backend: a {@code tp_btf/sched_switch} BPF program writes the same
 * region ABI through the kernel's task storage with user memory (uptr, Linux 6.13+), loaded and
 * driven from Java through libbpf and the Foreign Function &amp; Memory API. Also the adaptive
 * mutex's opt-in kernel owner state ({@code io.taskscratch.kernel.KernelOwnerState}).
 */
module io.taskscratch.kernel {
    requires transitive io.taskscratch.api;
    requires transitive io.taskscratch.mutex;

    exports io.taskscratch.kernel;
}
