/**
 * The adaptive mutex's demo: the baseline locks of the comparison ({@code io.taskscratch.demo.locks})
 * and the demo that compares them with {@code io.taskscratch.mutex.AdaptiveMutex} in the scheduler
 * model and on real threads ({@code io.taskscratch.demo}).
 */
module io.taskscratch.demo {
    requires transitive io.taskscratch.mutex;
    requires transitive io.taskscratch.sched;
    requires io.taskscratch.kernel;
    requires transitive io.taskscratch.percpu;
    requires org.agrona;
    requires info.picocli;

    exports io.taskscratch.demo;
    exports io.taskscratch.demo.locks;
    exports io.taskscratch.demo.percpu;

    // The demo package also reads HdrHistogram from the class path (--add-reads in the POM): it has no module name.

    // picocli fills the demo's option fields reflectively.
    opens io.taskscratch.demo to info.picocli;
    opens io.taskscratch.demo.percpu to info.picocli;
}
