package io.taskscratch.sched;

import java.util.Comparator;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A CFS-like fair policy: tasks are ordered by virtual runtime (all weights equal, so virtual
 * runtime is CPU time received); the leftmost runs next.
 *
 * <ul>
 *   <li>Slice: the period {@code max(latency, n * minGranularity)} split evenly among the
 *       {@code n} tasks of the CPU (CFS {@code sched_slice}).</li>
 *   <li>Wakeup placement: a sleeper's virtual runtime is raised to at least
 *       {@code min_vruntime - latency / 2} (CFS {@code place_entity} with GENTLE_FAIR_SLEEPERS),
 *       a new task starts one slice after {@code min_vruntime} (START_DEBIT).</li>
 *   <li>Wakeup preemption: the woken task preempts when the running task's virtual runtime
 *       exceeds its own by more than the wakeup granularity ({@code wakeup_preempt_entity}).</li>
 *   <li>Migration keeps a task's lag: its virtual runtime is rebased from the source queue's
 *       {@code min_vruntime} to the target's.</li>
 *   <li>Yield: the task is placed after every queued task.</li>
 * </ul>
 */
public final class FairPolicy implements SchedPolicy {
    /** The policy's name in {@link SimConfig}. */
    public static final String NAME = "fair";

    private final long latencyNs;
    private final long minGranularityNs;
    private final long wakeupGranularityNs;

    /**
     * @param latencyNs           targeted scheduling period ({@code sched_latency_ns})
     * @param minGranularityNs    minimum slice ({@code sched_min_granularity_ns})
     * @param wakeupGranularityNs wakeup preemption threshold ({@code sched_wakeup_granularity_ns})
     */
    public FairPolicy(long latencyNs, long minGranularityNs, long wakeupGranularityNs) {
        this.latencyNs = latencyNs;
        this.minGranularityNs = minGranularityNs;
        this.wakeupGranularityNs = wakeupGranularityNs;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RunQueue newRunQueue() {
        return new VruntimeQueue();
    }

    private long slice(int nrRunning) {
        long period = nrRunning > latencyNs / minGranularityNs ? nrRunning * minGranularityNs : latencyNs;
        return Math.max(1, period / nrRunning);
    }

    @Override
    public long timeSlice(RunQueue rq, SimTask running) {
        return slice(rq.size() + 1);
    }

    @Override
    public void account(RunQueue rq, SimTask running, long ranNs) {
        running.vruntime += ranNs;
        ((VruntimeQueue) rq).updateMin(running);
    }

    @Override
    public boolean wakeupPreempts(RunQueue rq, SimTask running, SimTask woken) {
        return running.vruntime - woken.vruntime > wakeupGranularityNs;
    }

    @Override
    public void migrate(SimTask task, RunQueue from, RunQueue to) {
        task.vruntime = task.vruntime - ((VruntimeQueue) from).minVruntime + ((VruntimeQueue) to).minVruntime;
    }

    private final class VruntimeQueue implements RunQueue {
        private final TreeSet<SimTask> tree = new TreeSet<>(
                Comparator.comparingLong((SimTask t) -> t.vruntime).thenComparingLong(t -> t.enqueueSeq));
        private long minVruntime;
        private long nextSeq;

        @Override
        public void enqueue(SimTask task, EnqueueReason reason) {
            switch (reason) {
                case WAKEUP -> task.vruntime = Math.max(task.vruntime, minVruntime - latencyNs / 2);
                case FORK -> task.vruntime = minVruntime + slice(tree.size() + 1);
                case YIELD -> {
                    if (!tree.isEmpty()) {
                        task.vruntime = Math.max(task.vruntime, tree.last().vruntime);
                    }
                }
                case PREEMPTED, MIGRATED -> {
                    // Keeps its virtual runtime (rebased by migrate() when it moved).
                }
            }
            task.enqueueSeq = nextSeq++;
            tree.add(task);
        }

        @Override
        public SimTask poll() {
            SimTask t = tree.pollFirst();
            if (t != null) {
                updateMin(t);
            }
            return t;
        }

        @Override
        public boolean remove(SimTask task) {
            return tree.remove(task);
        }

        @Override
        public SimTask pollMigratable(long now, long hotNs, boolean ignoreHot) {
            return RunQueues.pollMigratable(tree.descendingIterator(), now, hotNs, ignoreHot);
        }

        @Override
        public int size() {
            return tree.size();
        }

        @Override
        public void forEach(Consumer<SimTask> action) {
            tree.forEach(action);
        }

        /** CFS update_min_vruntime: monotone, follows the smaller of curr and leftmost. */
        void updateMin(SimTask curr) {
            long candidate = curr.vruntime;
            if (!tree.isEmpty()) {
                candidate = Math.min(candidate, tree.first().vruntime);
            }
            minVruntime = Math.max(minVruntime, candidate);
        }
    }
}
