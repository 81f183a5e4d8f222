package io.taskscratch.sched;

import io.taskscratch.platform.PlatformTask;

import java.util.SplittableRandom;

/**
 * A simulated task: a {@link PlatformTask} whose body runs real Java code under the model's
 * control. It carries the scheduler state a sched-state hook mirrors into the task's region
 * (docs/design.md §3: on_cpu, cpu, switches, last_switch_ns, migrations, preemptions) and a slot
 * ({@link #attach}) where a region or task handle can hang.
 *
 * <p>All state changes happen while the model runs, and the model runs on one thread at a time;
 * read the getters from task bodies or event listeners, not from unrelated threads.
 */
public final class SimTask implements PlatformTask {
    final Simulation sim;
    final long id;
    final String name;
    final TaskBody body;
    final boolean daemon;
    final SplittableRandom random;
    final Event resumeEvent;
    final Event timerEvent;
    final Event startEvent;
    /** Ends a wake-up in flight: the task joins {@link #wakeCpu}'s run queue. */
    final Event wakeEvent;

    TaskState state = TaskState.NEW;
    int cpu = -1;
    boolean onCpu;
    long switches;
    long lastSwitchNs;
    int migrations;
    int preemptions;
    long voluntarySwitches;

    /** Fair policy: virtual runtime and tie-break sequence. */
    long vruntime;
    long enqueueSeq;
    /** EEVDF policy: virtual deadline (relative to {@link #vruntime} while {@link #relDeadline}). */
    long deadline;
    /** EEVDF policy: lag saved when the task left its queue. */
    long vlag;
    /** EEVDF policy: the running task's slice is protected while its virtual runtime is below this. */
    long vprot;
    /** EEVDF policy: parked while not eligible, still in its queue (DELAY_DEQUEUE). */
    boolean delayed;
    /** EEVDF policy: {@link #deadline} is relative (the task left a queue without sleeping). */
    boolean relDeadline;

    /** Virtual time at which the current model call returns. */
    long resumeAt;
    /** When the task's code can run again after its last switch-in (switch-in + context-switch cost). */
    long execStart;
    /** Model-call time still owed after an involuntary switch-out. */
    long remaining;
    boolean permit;
    boolean interrupted;
    /** True while blocked in park/parkNanos (timer events are valid only then). */
    boolean parked;
    /** Woken, not yet runnable (the wake-up latency runs); state stays BLOCKED until {@link #wakeEvent}. */
    boolean waking;
    /** CPU chosen for the wake-up in flight. */
    int wakeCpu;
    /** The task that woke it (null: timer), for the wakeup event. */
    SimTask wakeWaker;

    long runNs;
    long waitNs;
    long maxDelayNs;
    long waitSince;
    long lastRanAt = Long.MIN_VALUE / 2;

    Thread thread;
    volatile boolean go;
    volatile boolean killed;

    private Object attachment;

    SimTask(Simulation sim, long id, String name, TaskBody body, boolean daemon, SplittableRandom random) {
        this.sim = sim;
        this.id = id;
        this.name = name;
        this.body = body;
        this.daemon = daemon;
        this.random = random;
        this.resumeEvent = new Event(Event.RESUME, this, null);
        this.timerEvent = new Event(Event.TIMER, this, null);
        this.startEvent = new Event(Event.START, this, null);
        this.wakeEvent = new Event(Event.WAKE, this, null);
    }

    @Override
    public String name() {
        return name;
    }

    /** Sequential id in creation order, starting at 0. */
    @Override
    public long id() {
        return id;
    }

    /** Whether the run may end while this task is still alive (CPU hogs and other background load). */
    public boolean daemon() {
        return daemon;
    }

    /** Life-cycle state. */
    public TaskState state() {
        return state;
    }

    /** CPU the task runs on, is queued on, or last ran on; -1 before it was placed. */
    public int cpu() {
        return cpu;
    }

    /** Whether the task is the current task of a CPU (§3 {@code on_cpu}). */
    public boolean onCpu() {
        return onCpu;
    }

    /** Context switches in plus out (§3 {@code switches}). */
    public long switches() {
        return switches;
    }

    /** Virtual time of the last switch in or out (§3 {@code last_switch_ns}). */
    public long lastSwitchNs() {
        return lastSwitchNs;
    }

    /** Moves to another CPU (§3 {@code migrations}). */
    public int migrations() {
        return migrations;
    }

    /** Involuntary switches out (§3 {@code preemptions}). */
    public int preemptions() {
        return preemptions;
    }

    /** Voluntary switches out (park, yield, exit). */
    public long voluntarySwitches() {
        return voluntarySwitches;
    }

    /** Virtual CPU time received, context-switch cost included. */
    public long runtimeNs() {
        return runNs;
    }

    /** Virtual time spent runnable but not running. */
    public long waitTimeNs() {
        return waitNs;
    }

    /** Longest single wait between becoming runnable and running. */
    public long maxSchedDelayNs() {
        return maxDelayNs;
    }

    /** This task's own seeded random stream (split from the run's seed in creation order). */
    public SplittableRandom random() {
        return random;
    }

    /** Attaches a handle (for example the task's scratch region); replaces the previous one. */
    public void attach(Object handle) {
        attachment = handle;
    }

    /** The attached handle, or null. */
    public Object attachment() {
        return attachment;
    }

    boolean cacheHot(long now, long hotNs) {
        return now - lastRanAt < hotNs;
    }

    @Override
    public String toString() {
        return name + "#" + id;
    }
}
