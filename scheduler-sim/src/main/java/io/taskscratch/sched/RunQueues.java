package io.taskscratch.sched;

import java.util.Iterator;

/** Helpers shared by the built-in run queues. */
final class RunQueues {
    private RunQueues() {
    }

    /**
     * Removes and returns the first task from {@code leastUrgentFirst} that is not cache hot
     * (or any task when {@code ignoreHot}); null when none qualifies.
     */
    static SimTask pollMigratable(Iterator<SimTask> leastUrgentFirst, long now, long hotNs, boolean ignoreHot) {
        while (leastUrgentFirst.hasNext()) {
            SimTask t = leastUrgentFirst.next();
            if (ignoreHot || !t.cacheHot(now, hotNs)) {
                leastUrgentFirst.remove();
                return t;
            }
        }
        return null;
    }
}
