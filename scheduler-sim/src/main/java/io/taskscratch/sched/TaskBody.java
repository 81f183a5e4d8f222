package io.taskscratch.sched;

/**
 * The real Java code of a simulated task. It talks to the model only through {@code platform};
 * anything else it does takes no virtual time.
 */
@FunctionalInterface
public interface TaskBody {
    /**
     * Runs the task.
     *
     * @param platform the simulated platform (work, spin, park, unpark, yield, time)
     * @throws Exception any failure; it stops the run and is reported with the task's name
     */
    void run(SimPlatform platform) throws Exception;
}
