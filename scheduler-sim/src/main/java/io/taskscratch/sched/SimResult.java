package io.taskscratch.sched;

import java.util.List;

/**
 * How a run ended.
 *
 * @param status        why it ended
 * @param virtualTimeNs virtual time at the end
 * @param events        events processed
 * @param modelCalls    model calls made by task bodies
 * @param switches      context switches (CPU changed its current task, idle included)
 * @param blockedTasks  names of tasks still parked at the end, in creation order
 */
public record SimResult(Status status, long virtualTimeNs, long events, long modelCalls, long switches,
                        List<String> blockedTasks) {
    /** Why a run ended. */
    public enum Status {
        /** Every non-daemon task exited. */
        COMPLETED,
        /** The virtual time limit was reached. */
        TIME_LIMIT,
        /** Nothing left to happen: live tasks are all parked without a timeout (a deadlock or lost wake-up). */
        ALL_BLOCKED
    }
}
