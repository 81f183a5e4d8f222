package io.taskscratch.sched;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Round-robin with a fixed slice, like Linux SCHED_RR among tasks of one priority: a FIFO run
 * queue, every task gets the same slice, and a woken task never preempts the running one.
 */
public final class RoundRobinPolicy implements SchedPolicy {
    /** The policy's name in {@link SimConfig}. */
    public static final String NAME = "rr";

    private final long sliceNs;

    /** @param sliceNs the fixed time slice, in virtual nanoseconds */
    public RoundRobinPolicy(long sliceNs) {
        this.sliceNs = sliceNs;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RunQueue newRunQueue() {
        return new FifoQueue();
    }

    @Override
    public long timeSlice(RunQueue rq, SimTask running) {
        return sliceNs;
    }

    @Override
    public void account(RunQueue rq, SimTask running, long ranNs) {
        // Round robin keeps no per-task accounting.
    }

    @Override
    public boolean wakeupPreempts(RunQueue rq, SimTask running, SimTask woken) {
        return false;
    }

    @Override
    public void migrate(SimTask task, RunQueue from, RunQueue to) {
        // Position in a FIFO is not carried across CPUs.
    }

    private static final class FifoQueue implements RunQueue {
        private final ArrayDeque<SimTask> queue = new ArrayDeque<>();

        @Override
        public void enqueue(SimTask task, EnqueueReason reason) {
            queue.addLast(task);
        }

        @Override
        public SimTask poll() {
            return queue.pollFirst();
        }

        @Override
        public boolean remove(SimTask task) {
            return queue.removeFirstOccurrence(task);
        }

        @Override
        public SimTask pollMigratable(long now, long hotNs, boolean ignoreHot) {
            return RunQueues.pollMigratable(queue.descendingIterator(), now, hotNs, ignoreHot);
        }

        @Override
        public int size() {
            return queue.size();
        }

        @Override
        public void forEach(Consumer<SimTask> action) {
            queue.forEach(action);
        }
    }
}
