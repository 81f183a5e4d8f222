package io.taskscratch.percpu;

/** {@link CpuSource#schedGetcpu()}: every thread shares the stateless {@link SchedGetcpuView}. */
final class SchedGetcpuSource implements CpuSource {
    static final SchedGetcpuSource INSTANCE = new SchedGetcpuSource();

    private SchedGetcpuSource() {
    }

    @Override
    public CpuView currentView() {
        return SchedGetcpuView.INSTANCE;
    }

    @Override
    public String name() {
        return "sched_getcpu";
    }

    @Override
    public String toString() {
        return "CpuSource[sched_getcpu]";
    }
}
