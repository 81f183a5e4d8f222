package io.taskscratch.sched.trace;

import io.taskscratch.sched.TaskState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code perf sched timehist -s}-style summary of a trace: per task, time running, waiting
 * in a run queue, sleeping (parked), switch-ins, preemptions, and the longest scheduling delay
 * (runnable to running).
 */
public final class TimeHist {
    private TimeHist() {
    }

    /**
     * Per-task times of one task.
     *
     * @param task        task id
     * @param name        task name
     * @param runNs       time on a CPU
     * @param waitNs      time runnable but not running
     * @param sleepNs     time parked
     * @param switchIns   times it was switched in
     * @param preemptions involuntary switch-outs
     * @param migrations  CPU changes
     * @param maxDelayNs  longest runnable-to-running delay
     * @param maxDelayAt  when that delay ended
     */
    public record TaskTimes(long task, String name, long runNs, long waitNs, long sleepNs, long switchIns,
                            long preemptions, long migrations, long maxDelayNs, long maxDelayAt) {
    }

    private static final int NEW = 0;
    private static final int RUNNABLE = 1;
    private static final int RUNNING = 2;
    private static final int SLEEPING = 3;
    private static final int DEAD = 4;

    private static final class Acc {
        final long task;
        final String name;
        int state = NEW;
        long since;
        long run;
        long wait;
        long sleep;
        long switchIns;
        long preemptions;
        long migrations;
        long maxDelay;
        long maxDelayAt;

        Acc(long task, String name) {
            this.task = task;
            this.name = name;
        }

        void close(long now) {
            long d = now - since;
            switch (state) {
                case RUNNING -> run += d;
                case RUNNABLE -> wait += d;
                case SLEEPING -> sleep += d;
                default -> {
                }
            }
            since = now;
        }
    }

    /**
     * Computes per-task times up to {@code endNs} (open intervals are closed there).
     *
     * @param trace the trace
     * @param endNs end of the observed period, at least the last event's time
     * @return one entry per task, by task id
     */
    public static List<TaskTimes> compute(Trace trace, long endNs) {
        Map<Long, Acc> byId = new HashMap<>(); // lookup only; output is sorted by id
        for (TraceEvent e : trace.events()) {
            long t = e.timeNs();
            switch (e) {
                case TraceEvent.Fork f -> {
                    Acc a = new Acc(f.child(), f.name());
                    a.state = RUNNABLE;
                    a.since = t;
                    byId.put(f.child(), a);
                }
                case TraceEvent.Switch s -> {
                    Acc prev = byId.get(s.prev());
                    if (prev != null) {
                        prev.close(t);
                        if (s.preempt()) {
                            prev.preemptions++;
                        }
                        prev.state = s.prevState() == TaskState.RUNNABLE ? RUNNABLE
                                : s.prevState() == TaskState.BLOCKED ? SLEEPING : DEAD;
                    }
                    Acc next = byId.get(s.next());
                    if (next != null) {
                        long delay = t - next.since;
                        next.close(t);
                        if (delay > next.maxDelay) {
                            next.maxDelay = delay;
                            next.maxDelayAt = t;
                        }
                        next.switchIns++;
                        next.state = RUNNING;
                    }
                }
                case TraceEvent.Wakeup w -> {
                    Acc a = byId.get(w.task());
                    if (a != null) {
                        a.close(t);
                        a.state = RUNNABLE;
                    }
                }
                case TraceEvent.Migrate m -> {
                    Acc a = byId.get(m.task());
                    if (a != null) {
                        a.migrations++;
                    }
                }
                case TraceEvent.Exit x -> {
                    Acc a = byId.get(x.task());
                    if (a != null) {
                        a.close(t);
                    }
                }
                case TraceEvent.Mark ignored -> {
                }
            }
        }
        List<TaskTimes> out = new ArrayList<>();
        byId.values().stream().sorted(Comparator.comparingLong(a -> a.task)).forEach(a -> {
            if (a.state != DEAD) {
                a.close(Math.max(endNs, a.since));
            }
            out.add(new TaskTimes(a.task, a.name, a.run, a.wait, a.sleep, a.switchIns, a.preemptions, a.migrations,
                    a.maxDelay, a.maxDelayAt));
        });
        return out;
    }

    /**
     * The summary as a text table (times in milliseconds with microsecond precision).
     *
     * @param trace the trace
     * @param endNs end of the observed period
     * @return the table
     */
    public static String format(Trace trace, long endNs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-20s %6s %12s %12s %12s %8s %8s %6s %12s %12s%n",
                "task", "id", "run ms", "wait ms", "sleep ms", "switches", "preempt", "migr", "max delay ms", "max at ms"));
        for (TaskTimes t : compute(trace, endNs)) {
            sb.append(String.format(Locale.ROOT, "%-20s %6d %12.3f %12.3f %12.3f %8d %8d %6d %12.3f %12.3f%n",
                    t.name(), t.task(), ms(t.runNs()), ms(t.waitNs()), ms(t.sleepNs()), t.switchIns(), t.preemptions(),
                    t.migrations(), ms(t.maxDelayNs()), ms(t.maxDelayAt())));
        }
        return sb.toString();
    }

    private static double ms(long ns) {
        return ns / 1e6;
    }
}
