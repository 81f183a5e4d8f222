package io.taskscratch.hook;

import java.util.Set;

/**
 * The scheduler tracepoints a {@link HookProgram} can attach to, after Linux's
 * {@code sched_switch}, {@code sched_wakeup}, {@code sched_migrate_task},
 * {@code sched_process_fork} and {@code sched_process_exit}. Each lists the {@link HookContext}
 * arguments it carries; reading another argument is refused like an invalid context access.
 */
public enum Tracepoint {
    /** A CPU switches from {@code prev} to {@code next}: arguments prev, next, cpu, preempt. */
    SCHED_SWITCH("sched_switch", Set.of(Arg.PREV, Arg.NEXT, Arg.PREEMPT)),
    /** {@code task} becomes runnable on {@code cpu}, woken by {@code waker} (null for a timeout). */
    SCHED_WAKEUP("sched_wakeup", Set.of(Arg.TASK, Arg.WAKER)),
    /** {@code task} moves from {@code fromCpu} to {@code toCpu}; {@code cpu} is {@code toCpu}. */
    SCHED_MIGRATE_TASK("sched_migrate_task", Set.of(Arg.TASK, Arg.FROM_CPU, Arg.TO_CPU)),
    /** {@code parent} (null for a task created outside any task) forks {@code child}. */
    TASK_FORK("task_fork", Set.of(Arg.PARENT, Arg.CHILD)),
    /** {@code task} exits. */
    TASK_EXIT("task_exit", Set.of(Arg.TASK));

    /** The event arguments beyond {@code cpu} and {@code nowNs}, which every tracepoint has. */
    enum Arg {
        PREV, NEXT, PREEMPT, TASK, WAKER, FROM_CPU, TO_CPU, PARENT, CHILD
    }

    private final String linuxName;
    private final Set<Arg> args;

    Tracepoint(String linuxName, Set<Arg> args) {
        this.linuxName = linuxName;
        this.args = args;
    }

    /** The tracepoint's name as Linux spells it, e.g. {@code sched_switch}; used in error messages. */
    public String linuxName() {
        return linuxName;
    }

    boolean has(Arg a) {
        return args.contains(a);
    }

    @Override
    public String toString() {
        return linuxName;
    }
}
