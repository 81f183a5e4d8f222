package io.taskscratch.percpu;

import java.util.Objects;

/**
 * Where CPU views come from: the threads' scratch regions ({@link #regions}) or glibc's
 * {@code sched_getcpu()} ({@link #schedGetcpu()}). Per-CPU structures ask their source for the
 * calling thread's view on every operation.
 */
public interface CpuSource {
    /**
     * The calling thread's view; only that thread may use it.
     *
     * @return the view (the same object on every call from one thread)
     */
    CpuView currentView();

    /**
     * A short name for reports, e.g. {@code model}, {@code kernel}, {@code sched_getcpu}.
     *
     * @return the name
     */
    String name();

    /**
     * Views that read the calling thread's scratch region, found through {@code lookup} once per
     * thread. The regions may be written by the scheduler model's hook or by the kernel backend's
     * BPF program: percpu only reads the region ABI. A thread without a region gets
     * {@code sched_getcpu()} answers and {@link CpuView#SEQUENCE_UNKNOWN} until it has one.
     *
     * @param name   the name in reports
     * @param lookup the calling thread's region, or null
     * @return the source (it keeps one small view object per thread that used it, in a
     *         {@link ThreadLocal} with a cache in front indexed by thread id)
     */
    static CpuSource regions(String name, RegionLookup lookup) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(lookup, "lookup");
        PerThread<RegionCpuView> views = new PerThread<>(() -> new RegionCpuView(lookup));
        return new CpuSource() {
            @Override
            public CpuView currentView() {
                return views.get();
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String toString() {
                return "CpuSource[" + name + "]";
            }
        };
    }

    /**
     * The source without regions: glibc's {@code sched_getcpu()} through FFM, no notifications
     * ({@link CpuView#switches()} and {@link CpuView#migrations()} are always
     * {@link CpuView#SEQUENCE_UNKNOWN}). Needs no registration and keeps no per-thread state.
     *
     * @return the shared source
     */
    static CpuSource schedGetcpu() {
        return SchedGetcpuSource.INSTANCE;
    }
}
