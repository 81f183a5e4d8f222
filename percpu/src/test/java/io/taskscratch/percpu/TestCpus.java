package io.taskscratch.percpu;

/** A source whose per-thread views say what the test sets: the CPU and the migration count. */
final class TestCpus implements CpuSource {
    /** A settable view; read and written by its own thread. */
    static final class View implements CpuView {
        int cpu;
        long migrations;
        int cpuReads;

        @Override
        public int cpu() {
            cpuReads++;
            return cpu;
        }

        @Override
        public long switches() {
            return migrations == SEQUENCE_UNKNOWN ? SEQUENCE_UNKNOWN : 2 * migrations;
        }

        @Override
        public long migrations() {
            return migrations;
        }

        /** Moves the thread to {@code cpu} and says so, as a region writer does. */
        void migrateTo(int newCpu) {
            cpu = newCpu;
            if (migrations != SEQUENCE_UNKNOWN) {
                migrations++;
            }
        }
    }

    private final ThreadLocal<View> views = ThreadLocal.withInitial(View::new);

    @Override
    public View currentView() {
        return views.get();
    }

    @Override
    public String name() {
        return "test";
    }
}
