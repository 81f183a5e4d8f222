package io.taskscratch.stress.percpu;

import io.taskscratch.percpu.CpuSource;
import io.taskscratch.percpu.CpuView;
import io.taskscratch.stress.rcu.Delay;

/**
 * A CPU source that tells every thread it runs on CPU 0, after a short delay: the race a real
 * thread meets when it is preempted or migrated between reading its CPU and committing, forced
 * on every call (both actors hold the same CPU id while they use that CPU's slot). No
 * notifications, so a pool reads the CPU on every operation.
 */
final class SameCpu implements CpuSource {
    static final SameCpu INSTANCE = new SameCpu();

    private static final CpuView VIEW = new CpuView() {
        @Override
        public int cpu() {
            Delay.spin(); // read the CPU id ... and be "migrated" before using it
            return 0;
        }

        @Override
        public long switches() {
            return SEQUENCE_UNKNOWN;
        }

        @Override
        public long migrations() {
            return SEQUENCE_UNKNOWN;
        }
    };

    private SameCpu() {
    }

    @Override
    public CpuView currentView() {
        return VIEW;
    }

    @Override
    public String name() {
        return "same-cpu";
    }
}
