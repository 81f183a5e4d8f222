package io.taskscratch.percpu;

import io.taskscratch.internal.os.Libc;

/**
 * The view without regions: glibc's {@code sched_getcpu()} through FFM (a load from the thread's
 * rseq area on glibc ≥ 2.35, else the vDSO) and no re-scheduling notifications. Stateless, so one
 * instance serves every thread.
 */
final class SchedGetcpuView implements CpuView {
    static final SchedGetcpuView INSTANCE = new SchedGetcpuView();

    private SchedGetcpuView() {
    }

    @Override
    public int cpu() {
        return Libc.schedGetcpu();
    }

    @Override
    public long switches() {
        return SEQUENCE_UNKNOWN;
    }

    @Override
    public long migrations() {
        return SEQUENCE_UNKNOWN;
    }

    @Override
    public String toString() {
        return "sched_getcpu";
    }
}
