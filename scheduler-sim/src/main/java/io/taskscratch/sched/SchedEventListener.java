package io.taskscratch.sched;

/**
 * Receives the model's scheduler events, the simulated counterparts of Linux's tracepoints
 * {@code sched_switch}, {@code sched_wakeup}, {@code sched_migrate_task},
 * {@code sched_process_fork} and {@code sched_process_exit}. Hook dispatch and the trace
 * recorder are listeners.
 *
 * <p>Listeners run inside the model, one at a time, in registration order; the model's state
 * (the tasks' counters and {@link SimTask#onCpu()}) is already updated for the event. A
 * listener must not call the model back (no park, work or unpark) and should not block; an
 * exception stops the run and is reported as a listener failure.
 *
 * <p>Whose context an event runs in, as in Linux (it matters to a writer that, like
 * {@code bpf_probe_write_user}, may only write the current task's memory): {@code onSwitch} runs
 * as {@code prev} (the switch happens in prev's {@code schedule()}; null prev: the idle task),
 * {@code onWakeup} as the waker (null waker: a timer, interrupt context), {@code onMigrate} as
 * whoever moved the task (the waker, or the load balancer: not the task), {@code onFork} as the
 * parent, {@code onExit} and {@code onMark} as the task itself.
 */
public interface SchedEventListener {
    /**
     * A CPU switched tasks.
     *
     * @param prev    the task switched out, or null if the CPU was idle
     * @param next    the task switched in, or null if the CPU goes idle
     * @param cpu     the CPU
     * @param preempt whether {@code prev} was switched out involuntarily
     * @param now     virtual time
     */
    default void onSwitch(SimTask prev, SimTask next, int cpu, boolean preempt, long now) {
    }

    /**
     * A task became runnable after a park.
     *
     * @param task  the woken task
     * @param cpu   the CPU whose queue it joins
     * @param waker the task that woke it, or null for a timeout
     * @param now   virtual time
     */
    default void onWakeup(SimTask task, int cpu, SimTask waker, long now) {
    }

    /**
     * A task moved to another CPU (on wakeup or by load balancing).
     *
     * @param task    the task
     * @param fromCpu the CPU it was assigned to
     * @param toCpu   the CPU it now belongs to
     * @param now     virtual time
     */
    default void onMigrate(SimTask task, int fromCpu, int toCpu, long now) {
    }

    /**
     * A task was created.
     *
     * @param parent the forking task, or null for a task spawned before the run
     * @param child  the new task
     * @param now    virtual time
     */
    default void onFork(SimTask parent, SimTask child, long now) {
    }

    /**
     * A task's body returned.
     *
     * @param task the task
     * @param now  virtual time
     */
    default void onExit(SimTask task, long now) {
    }

    /**
     * A task body marked an interval of its own (for example the mutex's hold, spin or park),
     * drawn on the timeline.
     *
     * @param task    the task
     * @param label   what the interval was
     * @param startNs virtual start
     * @param endNs   virtual end
     */
    default void onMark(SimTask task, String label, long startNs, long endNs) {
    }
}
