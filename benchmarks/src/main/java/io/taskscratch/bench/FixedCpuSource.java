package io.taskscratch.bench;

import io.taskscratch.percpu.CpuSource;
import io.taskscratch.percpu.CpuView;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A CPU source for cost splits: each thread gets its own constant CPU (threads numbered in the
 * order they first ask, modulo {@code cpus}) and a constant migration count, so a per-CPU
 * structure on it pays its own work but no CPU read.
 */
final class FixedCpuSource implements CpuSource {
    /** A thread's constant answer. */
    private record Fixed(int cpu) implements CpuView {
        @Override
        public long switches() {
            return 0;
        }

        @Override
        public long migrations() {
            return 0;
        }
    }

    private final AtomicInteger next = new AtomicInteger();
    private final ThreadLocal<CpuView> views;

    FixedCpuSource(int cpus) {
        views = ThreadLocal.withInitial(() -> new Fixed(next.getAndIncrement() % cpus));
    }

    @Override
    public CpuView currentView() {
        return views.get();
    }

    @Override
    public String name() {
        return "fixed";
    }
}
