package io.taskscratch.sched;

/**
 * An extra consistency check run after every event when {@link SimConfig#checkInvariants()} is
 * on, for example "with the pinned writer every region agrees with the model". Throwing any
 * exception stops the run with a {@link SimFailureException.Kind#INVARIANT} failure.
 */
@FunctionalInterface
public interface SimInvariant {
    /**
     * Checks the model.
     *
     * @param sim the simulation, between two events
     */
    void check(Simulation sim);
}
