package io.taskscratch.sched.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which task ran on which CPU when, plus labelled per-task intervals (the mutex's hold, spin
 * and park), built from a {@link Trace}; {@link SvgTimeline} draws it.
 */
public final class Timeline {
    /**
     * A task on a CPU from {@code startNs} to {@code endNs}.
     *
     * @param cpu     the CPU
     * @param task    the task id
     * @param startNs switch-in
     * @param endNs   switch-out (or the end of the period)
     */
    public record Run(int cpu, long task, long startNs, long endNs) {
    }

    /**
     * A labelled interval of one task.
     *
     * @param task    the task id
     * @param label   e.g. "hold", "spin", "park"
     * @param startNs start
     * @param endNs   end
     */
    public record Interval(long task, String label, long startNs, long endNs) {
    }

    private final int cpus;
    private final long startNs;
    private final long endNs;
    private final List<List<Run>> runs = new ArrayList<>();
    private final TreeMap<Long, String> names = new TreeMap<>();
    private final List<Interval> intervals = new ArrayList<>();

    private Timeline(int cpus, long startNs, long endNs) {
        this.cpus = cpus;
        this.startNs = startNs;
        this.endNs = endNs;
        for (int i = 0; i < cpus; i++) {
            runs.add(new ArrayList<>());
        }
    }

    /**
     * Builds the timeline of a trace up to {@code endNs}; Mark events become intervals.
     *
     * @param trace the trace
     * @param endNs end of the period (open runs are closed there)
     * @return the timeline
     */
    public static Timeline of(Trace trace, long endNs) {
        Timeline tl = new Timeline(trace.cpus(), 0, endNs);
        long[] runningSince = new long[trace.cpus()];
        long[] running = new long[trace.cpus()];
        java.util.Arrays.fill(running, TraceEvent.NONE);
        for (TraceEvent e : trace.events()) {
            switch (e) {
                case TraceEvent.Fork f -> tl.names.put(f.child(), f.name());
                case TraceEvent.Switch s -> {
                    if (running[s.cpu()] != TraceEvent.NONE && s.timeNs() > runningSince[s.cpu()]) {
                        tl.runs.get(s.cpu()).add(new Run(s.cpu(), running[s.cpu()], runningSince[s.cpu()], s.timeNs()));
                    }
                    running[s.cpu()] = s.next();
                    runningSince[s.cpu()] = s.timeNs();
                }
                case TraceEvent.Mark m -> tl.addInterval(m.task(), m.label(), m.startNs(), m.endNs());
                default -> {
                }
            }
        }
        for (int c = 0; c < trace.cpus(); c++) {
            if (running[c] != TraceEvent.NONE && endNs > runningSince[c]) {
                tl.runs.get(c).add(new Run(c, running[c], runningSince[c], endNs));
            }
        }
        return tl;
    }

    /**
     * Adds a labelled interval for a task (drawn in the task's lane under the CPU lanes).
     *
     * @param task    task id
     * @param label   what it was
     * @param startNs start
     * @param endNs   end
     * @return this
     */
    public Timeline addInterval(long task, String label, long startNs, long endNs) {
        intervals.add(new Interval(task, label, startNs, endNs));
        return this;
    }

    /** Number of CPUs. */
    public int cpus() {
        return cpus;
    }

    /** Start of the period. */
    public long startNs() {
        return startNs;
    }

    /** End of the period. */
    public long endNs() {
        return endNs;
    }

    /** Runs on {@code cpu}, in time order. */
    public List<Run> runs(int cpu) {
        return Collections.unmodifiableList(runs.get(cpu));
    }

    /** Labelled intervals, in the order added. */
    public List<Interval> intervals() {
        return Collections.unmodifiableList(intervals);
    }

    /** Task names by id. */
    public Map<Long, String> names() {
        return Collections.unmodifiableMap(names);
    }

    /** Name of task {@code id}, or {@code "#id"}. */
    public String name(long id) {
        return names.getOrDefault(id, "#" + id);
    }
}
