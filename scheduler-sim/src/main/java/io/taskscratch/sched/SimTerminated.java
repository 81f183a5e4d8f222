package io.taskscratch.sched;

/**
 * Thrown out of a model call once the run is over, to unwind a task body that is still inside
 * the model. Stackless: it is control flow, not a diagnosis.
 */
final class SimTerminated extends Error {
    private static final long serialVersionUID = 1L;

    SimTerminated() {
        super("simulation over", null, false, false);
    }
}
