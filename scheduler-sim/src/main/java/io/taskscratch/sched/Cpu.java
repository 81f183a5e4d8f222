package io.taskscratch.sched;

/** One simulated CPU: the task it runs, its run queue and its slice timer. */
final class Cpu {
    final int id;
    final RunQueue rq;
    final Event sliceEvent;
    /** The running task, or null when idle. */
    SimTask curr;
    /** When {@link #curr}'s runtime was last accounted. */
    long runStart;
    /** Periodic balance attempts in a row that found only cache-hot tasks (Linux nr_balance_failed). */
    int balanceFailed;
    /** Wake-ups in flight towards this CPU (Linux rq->ttwu_pending): the CPU does not count as idle. */
    int pendingWakes;

    Cpu(int id, RunQueue rq) {
        this.id = id;
        this.rq = rq;
        this.sliceEvent = new Event(Event.SLICE, null, this);
    }

    /** Tasks on this CPU: the running one plus the queued ones (Linux nr_running). */
    int load() {
        return rq.size() + (curr == null ? 0 : 1);
    }
}
