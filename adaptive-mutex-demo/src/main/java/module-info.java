/**
 * The scheduler-aware adaptive mutex ({@code io.taskscratch.mutex}, a reusable
 * {@link java.util.concurrent.locks.Lock}), the baseline locks, and the demo that compares them
 * ({@code io.taskscratch.demo}).
 */
module io.taskscratch.mutex {
    requires transitive io.taskscratch.api;
    requires transitive io.taskscratch.sched;
    requires io.taskscratch.kernel;
    requires org.agrona;
    requires info.picocli;

    exports io.taskscratch.mutex;
    exports io.taskscratch.demo;

    // The demo package also reads HdrHistogram from the class path (--add-reads in the POM): it has no module name.

    // picocli fills the demo's option fields reflectively.
    opens io.taskscratch.demo to info.picocli;
}
