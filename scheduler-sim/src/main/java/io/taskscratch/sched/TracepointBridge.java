package io.taskscratch.sched;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.hook.HookFailure;
import io.taskscratch.hook.TracepointRegistry;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.task.TaskHandle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the model's scheduler events into tracepoints: every switch, wakeup,
 * migration, fork and exit of one {@link Simulation} is fired into that run's own
 * {@link TracepointRegistry}, with one simulated {@link TaskHandle} per {@link SimTask}
 * ({@link TaskHandle#simulated(String)}, created at the task's fork). When a task exits the
 * bridge fires {@code task_exit} and then exits the handle, which releases the task's storage
 * in every map.
 *
 * <pre>{@code
 * Simulation sim = new Simulation(config);
 * TracepointBridge bridge = TracepointBridge.attach(sim, Rcu.create("sim"));
 * bridge.registry().attach(Tracepoint.SCHED_SWITCH, hook, false);
 * sim.run(limit);
 * }</pre>
 *
 * <p>Hooks run inside the model's listener dispatch: they must not call the model (non-sleepable
 * hooks cannot anyway). Hooks the runtime detaches (a broken rule, an exception) are collected
 * in {@link #failures()}; {@link #checkNoFailures()} turns them into an exception.
 */
public final class TracepointBridge implements SchedEventListener {
    private final TracepointRegistry registry;
    private final List<HookFailure> failures = new ArrayList<>();
    /** Handles by {@link SimTask#id()}; the model is single-threaded at any moment, so plain fields. */
    private TaskHandle[] handles = new TaskHandle[16];

    private TracepointBridge(Simulation sim, Rcu rcu) {
        this.registry = TracepointRegistry.create("sim-seed-" + sim.config().seed(), rcu, sim.platform(), failures::add);
    }

    /**
     * Creates a bridge with a registry of its own and adds it as a listener of {@code sim}
     * (before the run).
     *
     * @param sim the simulation
     * @param rcu the domain hooks run in (one per run is fine; close it after the run)
     * @return the bridge
     */
    public static TracepointBridge attach(Simulation sim, Rcu rcu) {
        TracepointBridge b = new TracepointBridge(sim, rcu);
        sim.addListener(b);
        return b;
    }

    /** The run's tracepoint registry: attach hooks here. */
    public TracepointRegistry registry() {
        return registry;
    }

    /**
     * The handle of {@code task}, created when it was forked.
     *
     * @throws ScratchException ENOENT if the task has not been forked yet
     */
    public TaskHandle handle(SimTask task) {
        int i = (int) task.id();
        TaskHandle h = i < handles.length ? handles[i] : null;
        if (h == null) {
            throw new ScratchException(Errno.ENOENT, "task " + task + ": not forked yet, it has no task handle");
        }
        return h;
    }

    private TaskHandle handleOrNull(SimTask task) {
        return task == null ? null : handles[(int) task.id()];
    }

    /** Hooks the runtime detached during the run, in order. */
    public List<HookFailure> failures() {
        return List.copyOf(failures);
    }

    /**
     * Throws if any hook was detached by the runtime.
     *
     * @throws IllegalStateException naming the first failure
     */
    public void checkNoFailures() {
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " hook failure(s), first: " + failures.getFirst());
        }
    }

    @Override
    public void onSwitch(SimTask prev, SimTask next, int cpu, boolean preempt, long now) {
        registry.fireSchedSwitch(handleOrNull(prev), handleOrNull(next), cpu, preempt, now);
    }

    @Override
    public void onWakeup(SimTask task, int cpu, SimTask waker, long now) {
        registry.fireSchedWakeup(handleOrNull(task), cpu, handleOrNull(waker), now);
    }

    @Override
    public void onMigrate(SimTask task, int fromCpu, int toCpu, long now) {
        registry.fireSchedMigrateTask(handleOrNull(task), fromCpu, toCpu, now);
    }

    @Override
    public void onFork(SimTask parent, SimTask child, long now) {
        int i = (int) child.id();
        if (i >= handles.length) {
            handles = Arrays.copyOf(handles, Math.max(i + 1, handles.length * 2));
        }
        handles[i] = TaskHandle.simulated(child.name());
        registry.fireTaskFork(handleOrNull(parent), handles[i], child.cpu(), now);
    }

    @Override
    public void onExit(SimTask task, long now) {
        TaskHandle h = handleOrNull(task);
        registry.fireTaskExit(h, task.cpu(), now);
        h.exit(); // releases the task's storage in every map, as the kernel frees task->bpf_storage
    }

    @Override
    public String toString() {
        return "TracepointBridge[" + registry.name() + "]";
    }
}
