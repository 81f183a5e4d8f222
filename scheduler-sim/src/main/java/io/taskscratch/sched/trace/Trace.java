package io.taskscratch.sched.trace;

import java.util.List;

/**
 * A recorded run: CPU count and events in the order they happened.
 *
 * @param cpus          number of CPUs
 * @param configuration the header's record of the run's configuration (its costs)
 * @param events        events, time-ordered
 */
public record Trace(int cpus, String configuration, List<TraceEvent> events) {
    /** Copies the event list. */
    public Trace {
        events = List.copyOf(events);
    }

    /** Time of the last event, 0 when empty. */
    public long lastTimeNs() {
        return events.isEmpty() ? 0 : events.getLast().timeNs();
    }
}
