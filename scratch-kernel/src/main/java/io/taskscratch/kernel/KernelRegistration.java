package io.taskscratch.kernel;

import io.taskscratch.region.HeaderSnapshot;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;

/**
 * One platform thread registered in a {@link KernelBackend}: the kernel's sched_switch program
 * writes its region's header ({@code seq}, {@code on_cpu}, {@code cpu}, {@code switches},
 * {@code last_switch_ns} in {@code CLOCK_MONOTONIC} = {@link System#nanoTime()}, {@code migrations},
 * {@code preemptions}). Read it with {@link ScratchRegion#onCpu()} or {@link #snapshot()}.
 *
 * <p>Known behaviour: the tracepoint occasionally misses a switch (the program's storage lookup
 * can fail while the task-storage lock is busy), so {@code on_cpu} is a hint; cross-check with
 * {@code switches} and {@code last_switch_ns}. {@link #close()} unregisters (from any thread) and
 * frees the region; do not close the region yourself (it refuses with EBUSY while registered).
 */
public final class KernelRegistration implements AutoCloseable {
    private final KernelBackend backend;
    private final Thread thread;
    private final TaskHandle task;
    private final ScratchRegion region;
    private final int pidfd;
    private boolean closed; // guarded by this

    KernelRegistration(KernelBackend backend, Thread thread, TaskHandle task, ScratchRegion region, int pidfd) {
        this.backend = backend;
        this.thread = thread;
        this.task = task;
        this.region = region;
        this.pidfd = pidfd;
    }

    /** The region the kernel writes. */
    public ScratchRegion region() {
        return region;
    }

    /** The registered thread. */
    public Thread thread() {
        return thread;
    }

    /** The registered thread's task handle (its OS tid is {@link TaskHandle#osTid()}). */
    public TaskHandle task() {
        return task;
    }

    /** A seqlock-consistent copy of the header the kernel wrote. */
    public HeaderSnapshot snapshot() {
        return region.snapshot();
    }

    int pidfd() {
        return pidfd;
    }

    /** Whether {@link #close()} has run. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Unregisters the thread: deletes the kernel element, waits a kernel RCU grace period, frees
     * the region. If the thread has exited already, its region is kept (quarantined) until the
     * program has recorded the task's final switch-out ({@code cpu} = {@code RegionAbi.CPU_EXITED})
     * and another grace period has passed, or until the backend closes: that last context switch
     * may still write it. Idempotent; also run when the thread exits.
     */
    @Override
    public synchronized void close() {
        // Held throughout, so a concurrent close (the exit reaper) returns only once it is done.
        if (closed) {
            return;
        }
        closed = true;
        backend.unregister(this);
    }

    @Override
    public String toString() {
        return "KernelRegistration[" + thread.getName() + ", tid " + task.osTid() + ", " + region + "]";
    }
}
