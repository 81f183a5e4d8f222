/**
 * The per-CPU section of the demo: {@code PerCpuPool} and {@code PerCpuCounter} against
 * per-thread pools, a shared lock-free pool and {@code LongAdder}, in the scheduler model and on
 * real threads.
 */
package io.taskscratch.demo.percpu;
