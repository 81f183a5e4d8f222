/**
 * taskscratch's real-kernel backend: a {@code tp_btf/sched_switch} BPF program writes the
 * docs/design.md §3 region header through uptr task storage (Linux 6.13+), loaded with libbpf through
 * the Foreign Function and Memory API. Needs root or CAP_BPF + CAP_PERFMON; see
 * {@link io.taskscratch.kernel.KernelBackend#availability()}.
 *
 * <p>Runs on the class path (like scheduler-sim, the module has no module descriptor): it uses
 * scratch-api's internal libc bindings and pin table.
 */
package io.taskscratch.kernel;
