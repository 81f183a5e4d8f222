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
    requires HdrHistogram;
    requires info.picocli;

    exports io.taskscratch.demo;
    exports io.taskscratch.demo.locks;
    exports io.taskscratch.demo.percpu;

    // picocli fills the demo's option fields reflectively.
    opens io.taskscratch.demo to info.picocli;
}
