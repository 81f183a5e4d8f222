package io.taskscratch.stress.percpu;

import io.taskscratch.percpu.CpuSource;
import io.taskscratch.stress.rcu.Delay;

/**
 * The negative control's counter: one cell per CPU updated with a plain read and a plain write,
 * which is correct only if no other thread could touch the cell between them, i.e. if the CPU id
 * were still true at the write. Java cannot guarantee that (no restartable sequences).
 */
final class TrustingPerCpuCounter {
    private final CpuSource source;
    private final long[] cells;

    TrustingPerCpuCounter(CpuSource source, int cpus) {
        this.source = source;
        this.cells = new long[cpus];
    }

    void increment() {
        int cpu = source.currentView().cpu();
        long v = cells[cpu];
        Delay.spin(); // preempted between the read and the write
        cells[cpu] = v + 1; // the bug: a plain store that trusts the CPU id
    }

    long sum() {
        long s = 0;
        for (long c : cells) {
            s += c;
        }
        return s;
    }
}
