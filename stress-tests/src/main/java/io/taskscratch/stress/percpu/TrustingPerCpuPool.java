package io.taskscratch.stress.percpu;

import io.taskscratch.percpu.CpuSource;
import io.taskscratch.stress.rcu.Delay;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The negative control's pool: a bounded stack per CPU changed with plain reads and writes,
 * correct only if the CPU id were exclusive up to the commit. The statistics are atomic, so a
 * failure is the lists' fault alone.
 */
final class TrustingPerCpuPool {
    private final CpuSource source;
    private final int capacity;
    private final Object[][] items;
    private final int[] counts;
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    TrustingPerCpuPool(CpuSource source, int cpus, int capacity) {
        this.source = source;
        this.capacity = capacity;
        this.items = new Object[cpus][capacity];
        this.counts = new int[cpus];
    }

    Object allocate() {
        int cpu = source.currentView().cpu();
        int n = counts[cpu];
        if (n > 0) {
            Object o = items[cpu][n - 1];
            Delay.spin(); // preempted between the read and the commit
            items[cpu][n - 1] = null;
            counts[cpu] = n - 1; // the bug: plain stores that trust the CPU id
            return o;
        }
        created.incrementAndGet();
        return new Object();
    }

    void free(Object o) {
        int cpu = source.currentView().cpu();
        int n = counts[cpu];
        if (n < capacity) {
            Delay.spin();
            items[cpu][n] = o;
            counts[cpu] = n + 1;
            return;
        }
        dropped.incrementAndGet();
    }

    long created() {
        return created.get();
    }

    long dropped() {
        return dropped.get();
    }

    long held() {
        long h = 0;
        for (int c : counts) {
            h += c;
        }
        return h;
    }
}
