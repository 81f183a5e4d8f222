/**
 * The scheduler-aware adaptive mutex ({@code io.taskscratch.mutex}, a reusable
 * {@link java.util.concurrent.locks.Lock}), the baseline locks, and the demo that compares them
 * ({@code io.taskscratch.demo}).
 */
module io.taskscratch.mutex {
    requires transitive io.taskscratch.api;
    requires transitive io.taskscratch.sched;
    requires io.taskscratch.kernel;
    requires transitive io.taskscratch.percpu;
    requires org.agrona;
    requires HdrHistogram;
    requires info.picocli;

    exports io.taskscratch.mutex;
    exports io.taskscratch.demo;
    exports io.taskscratch.demo.percpu;

    // picocli fills the demo's option fields reflectively.
    opens io.taskscratch.demo to info.picocli;
}
