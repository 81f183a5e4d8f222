package io.taskscratch.sched.trace;

import io.taskscratch.sched.TaskState;

/**
 * One recorded scheduler event, as read back from a trace. Task ids are
 * {@link io.taskscratch.sched.SimTask#id()}; {@link #NONE} stands for "no task" (idle CPU, a
 * task spawned before the run, a wake-up by timeout).
 */
public sealed interface TraceEvent {
    /** Task id meaning "no task". */
    long NONE = -1;

    /** Virtual time of the event. */
    long timeNs();

    /**
     * A task was created.
     *
     * @param timeNs virtual time
     * @param parent forking task or {@link #NONE}
     * @param child  new task
     * @param name   its name
     * @param daemon whether it is a background task
     */
    record Fork(long timeNs, long parent, long child, String name, boolean daemon) implements TraceEvent {
    }

    /**
     * A task exited.
     *
     * @param timeNs virtual time
     * @param task   the task
     */
    record Exit(long timeNs, long task) implements TraceEvent {
    }

    /**
     * A CPU switched tasks.
     *
     * @param timeNs    virtual time
     * @param cpu       the CPU
     * @param prev      task switched out, or {@link #NONE} (idle)
     * @param next      task switched in, or {@link #NONE} (idle)
     * @param preempt   whether prev was switched out involuntarily
     * @param prevState prev's state after the switch (RUNNABLE, BLOCKED or EXITED), null when idle
     */
    record Switch(long timeNs, int cpu, long prev, long next, boolean preempt, TaskState prevState) implements TraceEvent {
    }

    /**
     * A parked task became runnable.
     *
     * @param timeNs virtual time
     * @param task   the task
     * @param cpu    CPU it was queued on
     * @param waker  waking task, or {@link #NONE} for a timeout
     */
    record Wakeup(long timeNs, long task, int cpu, long waker) implements TraceEvent {
    }

    /**
     * A task moved between CPUs.
     *
     * @param timeNs  virtual time
     * @param task    the task
     * @param fromCpu old CPU
     * @param toCpu   new CPU
     */
    record Migrate(long timeNs, long task, int fromCpu, int toCpu) implements TraceEvent {
    }

    /**
     * A labelled interval a task body reported (hold, spin, park...).
     *
     * @param timeNs  virtual time of the report (at or after the interval's end)
     * @param task    the task
     * @param label   what the interval was
     * @param startNs interval start
     * @param endNs   interval end
     */
    record Mark(long timeNs, long task, String label, long startNs, long endNs) implements TraceEvent {
    }
}
