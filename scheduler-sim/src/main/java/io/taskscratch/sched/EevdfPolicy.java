package io.taskscratch.sched;

import java.util.Comparator;
import java.util.Iterator;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Linux's fair class since 6.6, EEVDF (Earliest Eligible Virtual Deadline First), as in
 * {@code kernel/sched/fair.c} of Linux 6.18 with its default sched features.
 *
 * <h2>Implementation overview</h2>
 *
 * <p>Every task carries a virtual runtime {@code v} (CPU time received; all weights are equal,
 * so {@code calc_delta_fair} is the identity) and a virtual deadline {@code d}. Per CPU:
 * <ul>
 *   <li><b>V</b> ({@code avg_vruntime}): the mean {@code v} of the queue's entities plus the running
 *       task, rounded down (the kernel's left bias). A task is <b>eligible</b> when its lag
 *       {@code V - v} is at least 0 ({@code entity_eligible}, compared exactly as
 *       {@code sum(v) >= v * n}, like {@code vruntime_eligible}).</li>
 *   <li><b>Pick</b> ({@code pick_eevdf}): the eligible entity with the earliest deadline; the task
 *       that was running keeps the CPU while it is eligible and its {@code v} is below
 *       {@code vprot}, the deadline it had when picked (RUN_TO_PARITY, {@code set_protect_slice}
 *       with one slice length for all). Ties on the deadline go to the earlier-queued entity.</li>
 *   <li><b>Slice</b> ({@code update_deadline}): when {@code v} reaches {@code d}, {@code d = v +
 *       slice}, with {@code slice} = {@code sysctl_sched_base_slice}, 0.70 ms scaled by {@code 1 +
 *       ilog2(min(cpus, 8))} ({@code update_sysctl}). HRTICK is off, so the running task is
 *       rescheduled only at a scheduler tick ({@link SchedPolicy#TICK_NS}) once {@code v} has
 *       reached {@code vprot} and another entity is queued ({@code update_curr}), or at a wake-up.</li>
 *   <li><b>Wake-up preemption</b> ({@code check_preempt_wakeup_fair}): the woken task preempts
 *       when the pick with slice protection would choose it, or when the running task's update at
 *       the wake-up reschedules it (deadline reached or protection over with others queued).</li>
 *   <li><b>Placement</b> ({@code place_entity}, PLACE_LAG): an arriving task gets {@code v = V -
 *       lag * (n + 1) / n} ({@code n} entities already there; the factor keeps the lag after V
 *       moves), {@code d = v + slice}; a new task has lag 0 and half a slice
 *       (PLACE_DEADLINE_INITIAL); a migrated one keeps its deadline relative to {@code v}
 *       (PLACE_REL_DEADLINE). Lag saved at dequeue ({@code update_entity_lag}) is clamped to
 *       {@code ±max(2 * slice, tick)}.</li>
 *   <li><b>Sleep</b> (DELAY_DEQUEUE, DELAY_ZERO): a task that parks while not eligible stays in
 *       its queue, counted in V, until it is picked (then it leaves with lag 0) or woken (then it
 *       is runnable again on that CPU at its old place, or placed with lag 0 if its lag turned
 *       positive, {@code requeue_delayed_entity}); a woken delayed task goes to its own CPU
 *       ({@code ttwu_runnable}). An eligible sleeper leaves with its lag saved.</li>
 *   <li><b>Yield</b> ({@code yield_task_fair}): with others queued, an eligible task forfeits the
 *       rest of its request: {@code v = d}, {@code d += slice}.</li>
 * </ul>
 *
 * <p>Invariants: the queue holds the runnable entities and the delayed sleepers, never the running
 * task; {@code size()} and {@code forEach} see the runnable ones only (delayed sleepers are
 * BLOCKED in the model); {@code sumV} is the sum of {@code v} over the queue. Simplified away:
 * weights (nice, cgroups, autogroups), custom slices (so PREEMPT_SHORT never applies), buddies
 * (NEXT_BUDDY is off by default), a delayed sleeper being picked at a tick rather than at the next
 * pick, and an exiting task is removed at once.
 */
public final class EevdfPolicy implements SchedPolicy {
    /** The policy's name in {@link SimConfig}. */
    public static final String NAME = "eevdf";
    /** Linux's normalized {@code sysctl_sched_base_slice} since 6.15 (0.75 ms in 6.6 to 6.14). */
    public static final long NORMALIZED_BASE_SLICE_NS = 700_000L;
    /** Linux caps the CPU count of the tunable scaling at 8 ({@code get_update_sysctl_factor}). */
    private static final int SCALING_CPU_CAP = 8;

    private final long sliceNs;
    private final long lagLimitNs;

    /**
     * @param baseSliceNs the request length every task gets ({@code sysctl_sched_base_slice}, already
     *                    scaled for the CPU count; see {@link #scaledBaseSlice})
     */
    public EevdfPolicy(long baseSliceNs) {
        this.sliceNs = baseSliceNs;
        this.lagLimitNs = Math.max(2 * baseSliceNs, TICK_NS);
    }

    /**
     * Linux's {@code sysctl_sched_base_slice} on {@code cpus} CPUs: the normalized value times
     * {@code 1 + ilog2(min(cpus, 8))} (SCHED_TUNABLESCALING_LOG, the default).
     *
     * @param normalizedNs the unscaled base slice ({@link #NORMALIZED_BASE_SLICE_NS} in Linux)
     * @param cpus         the CPU count
     * @return the scaled base slice
     */
    public static long scaledBaseSlice(long normalizedNs, int cpus) {
        int factor = 1 + (31 - Integer.numberOfLeadingZeros(Math.min(cpus, SCALING_CPU_CAP)));
        return normalizedNs * factor;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RunQueue newRunQueue() {
        return new EevdfQueue();
    }

    /** The request length: the virtual time between a deadline and the next. */
    @Override
    public long timeSlice(RunQueue rq, SimTask running) {
        return sliceNs;
    }

    /**
     * The first scheduler tick at which {@code update_curr} reschedules {@code running}: once its
     * {@code v} reached {@code vprot} with others queued, or, alone, once it reached its deadline
     * (the tick renews the deadline then).
     */
    @Override
    public long sliceEnd(RunQueue rq, SimTask running, long now) {
        long until = ((EevdfQueue) rq).tree.isEmpty() ? running.deadline : running.vprot;
        long target = now + Math.max(0, until - running.vruntime);
        long tick = Math.ceilDiv(target, TICK_NS) * TICK_NS;
        return tick > now ? tick : now + TICK_NS - now % TICK_NS;
    }

    @Override
    public long sliceEndOnArrival(RunQueue rq, SimTask running, long now) {
        return sliceEnd(rq, running, now);
    }

    /** {@code enqueue_entity} updates the running task first: placement reads its current virtual runtime. */
    @Override
    public boolean updatesCurrOnEnqueue() {
        return true;
    }

    @Override
    public void account(RunQueue rq, SimTask running, long ranNs) {
        EevdfQueue q = (EevdfQueue) rq;
        running.vruntime += ranNs;
        boolean renewed = running.vruntime >= running.deadline;
        if (renewed) {
            running.deadline = running.vruntime + sliceNs;
        }
        q.resched = !q.tree.isEmpty() && (renewed || running.vruntime >= running.vprot);
    }

    @Override
    public boolean wakeupPreempts(RunQueue rq, SimTask running, SimTask woken) {
        EevdfQueue q = (EevdfQueue) rq;
        return q.resched || q.pick(running) == woken;
    }

    @Override
    public void migrate(SimTask task, RunQueue from, RunQueue to) {
        // Lag and the relative deadline were saved when the task left its queue (pollMigratable or sleep).
    }

    private final class EevdfQueue implements RunQueue {
        private final TreeSet<SimTask> tree = new TreeSet<>(
                Comparator.comparingLong((SimTask t) -> t.deadline).thenComparingLong(t -> t.enqueueSeq));
        /** Sum of v over the tree (runnable and delayed entities). */
        private long sumV;
        /** Tree entities that are runnable (not delayed sleepers). */
        private int runnable;
        /** The running task of this CPU, counted in V; null when idle or between put-prev and pick. */
        private SimTask curr;
        /** The running task just put back (preempted or yielding): the next pick protects its slice. */
        private SimTask prev;
        /** The running task's last update asked for a reschedule. */
        private boolean resched;
        /** V of the last non-empty state: where a task arriving on an empty queue starts. */
        private long lastV;
        private long nextSeq;

        private int entities() {
            return tree.size() + (curr == null ? 0 : 1);
        }

        private long sumAll() {
            return curr == null ? sumV : sumV + curr.vruntime;
        }

        /** avg_vruntime: the mean v, rounded down. */
        private long avg() {
            int n = entities();
            if (n > 0) {
                lastV = Math.floorDiv(sumAll(), n);
            }
            return lastV;
        }

        private boolean eligible(SimTask t) {
            return sumAll() >= t.vruntime * entities();
        }

        private long clampLag(long lag) {
            return Math.clamp(lag, -lagLimitNs, lagLimitNs);
        }

        private void insert(SimTask t) {
            t.enqueueSeq = nextSeq++;
            tree.add(t);
            sumV += t.vruntime;
        }

        private void erase(SimTask t) {
            tree.remove(t);
            sumV -= t.vruntime;
        }

        /** place_entity: v from V and the saved lag, then the deadline. */
        private void place(SimTask t, long initialSlice) {
            long v = avg();
            long lag = t.vlag;
            int n = entities();
            if (n > 0 && lag != 0) {
                lag = lag * (n + 1) / n;
            }
            t.vruntime = v - lag;
            if (t.relDeadline) {
                t.deadline += t.vruntime;
                t.relDeadline = false;
            } else {
                t.deadline = t.vruntime + initialSlice;
            }
        }

        /** pick_eevdf, with the given running task (or null) and slice protection. */
        SimTask pick(SimTask running) {
            SimTask saved = curr;
            curr = running;
            try {
                boolean runningOk = running != null && eligible(running);
                if (runningOk && running.vruntime < running.vprot) {
                    return running;
                }
                for (SimTask t : tree) {
                    if (eligible(t)) {
                        return runningOk && running.deadline < t.deadline ? running : t;
                    }
                }
                return running;
            } finally {
                curr = saved;
            }
        }

        @Override
        public void enqueue(SimTask task, EnqueueReason reason) {
            switch (reason) {
                case FORK -> {
                    task.vlag = 0;
                    place(task, sliceNs / 2);
                }
                case WAKEUP -> {
                    if (task.delayed) {
                        requeueDelayed(task);
                        return;
                    }
                    place(task, sliceNs);
                }
                case MIGRATED -> place(task, sliceNs);
                case YIELD -> {
                    if (!tree.isEmpty() && eligible(task)) {
                        task.vruntime = task.deadline;
                        task.deadline += sliceNs;
                    }
                    putPrev(task);
                }
                case PREEMPTED -> putPrev(task);
            }
            insert(task);
            runnable++;
        }

        private void putPrev(SimTask task) {
            if (task == curr) {
                curr = null;
                prev = task;
            }
        }

        /** requeue_delayed_entity with DELAY_ZERO: a positive lag is dropped and the task placed anew. */
        private void requeueDelayed(SimTask task) {
            task.delayed = false;
            runnable++;
            if (clampLag(avg() - task.vruntime) > 0) {
                erase(task);
                task.vlag = 0;
                place(task, sliceNs);
                insert(task);
            }
        }

        @Override
        public SimTask poll() {
            while (!tree.isEmpty()) {
                SimTask best = pick(null);
                if (prev != null && tree.contains(prev) && eligible(prev) && prev.vruntime < prev.vprot) {
                    best = prev;
                }
                long v = avg();
                erase(best);
                if (best.delayed) {
                    best.delayed = false; // DELAY_ZERO: picked means eligible, it leaves with lag 0
                    best.vlag = Math.min(clampLag(v - best.vruntime), 0);
                    continue;
                }
                runnable--;
                curr = best;
                prev = null;
                resched = false;
                best.vprot = best.deadline;
                return best;
            }
            prev = null;
            return null;
        }

        @Override
        public void left(SimTask task, boolean exited) {
            if (task != curr) {
                return;
            }
            if (!exited && !eligible(task)) {
                curr = null;
                task.delayed = true;
                insert(task);
                return;
            }
            task.vlag = clampLag(avg() - task.vruntime);
            curr = null;
        }

        @Override
        public void adopt(SimTask task) {
            place(task, sliceNs);
            curr = task;
            task.vprot = task.deadline;
        }

        @Override
        public boolean keepsOnWake(SimTask task) {
            return task.delayed;
        }

        /** Dequeue without sleeping (migration): lag saved, deadline made relative. */
        private void detach(SimTask t) {
            t.vlag = clampLag(avg() - t.vruntime);
            erase(t);
            t.deadline -= t.vruntime;
            t.relDeadline = true;
            runnable--;
        }

        @Override
        public boolean remove(SimTask task) {
            if (task.delayed || !tree.contains(task)) {
                return false;
            }
            detach(task);
            return true;
        }

        @Override
        public SimTask pollMigratable(long now, long hotNs, boolean ignoreHot) {
            for (Iterator<SimTask> it = tree.descendingIterator(); it.hasNext(); ) {
                SimTask t = it.next();
                if (!t.delayed && (ignoreHot || !t.cacheHot(now, hotNs))) {
                    detach(t);
                    return t;
                }
            }
            return null;
        }

        @Override
        public int size() {
            return runnable;
        }

        @Override
        public void forEach(Consumer<SimTask> action) {
            for (SimTask t : tree) {
                if (!t.delayed) {
                    action.accept(t);
                }
            }
        }
    }
}
