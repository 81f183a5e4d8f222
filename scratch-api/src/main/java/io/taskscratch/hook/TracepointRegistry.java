package io.taskscratch.hook;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.Platform;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.GraceTracker;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.task.TaskHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The hooks of one "world" (the process, or one scheduler-model run): attach
 * {@link HookProgram}s to {@link Tracepoint}s, fire events, and every attached hook runs.
 *
 * <pre>{@code
 * TracepointRegistry tps = TracepointRegistry.create("sim-run-7", rcu, simPlatform, failures::add);
 * try (HookLink l = tps.attach(Tracepoint.SCHED_SWITCH, schedState, false)) {
 *     tps.fireSchedSwitch(prev, next, cpu, preempt, now);   // from the scheduler
 * }
 * }</pre>
 *
 * <p>Firing never blocks and, after a thread's first event, never allocates; attach and detach
 * may happen at any time from any thread, including from inside a hook, and never wait for
 * readers.
 */
public final class TracepointRegistry {
    /*
     * Implementation overview.
     *
     * Per tracepoint a Slot holds the published HookArray (an immutable array of HookLinks) and
     * a GraceTracker, whose one-way flag says whether the slot has ever held a sleepable hook.
     * Writers (attach, detach) serialise on writeLock, build a new array, mark the tracker
     * sleepable first if the new array holds a sleepable hook, publish the array with a release
     * store, and retire the old array through the tracker: its "free" (the poison flag `freed`,
     * which firing threads check) runs after a NORMAL grace period, or after a TASKS_TRACE
     * grace period chained with a NORMAL one once the flag is set (the 2022 sleepable-uprobe
     * design: pure non-sleepable slots never pay the slow chain).
     *
     * Firing: read the flag (a volatile read, at least acquire); enter a TASKS_TRACE section if
     * set, else a NORMAL one; load the array (acquire). If a NORMAL reader finds a sleepable hook in the array (it
     * raced with the first sleepable attach), it leaves and re-enters as a TASKS_TRACE reader
     * before running anything. Under TASKS_TRACE each non-sleepable hook additionally runs in its
     * own NORMAL section, so a non-sleepable invocation is always inside a NORMAL section and a
     * sleepable one inside a TASKS_TRACE section (what the map-access barrier waits on).
     *
     * Invariants. (1) An array is freed only after every reader that could have loaded it has
     * left: readers that chose NORMAL are covered by the NORMAL grace period; readers that chose
     * TASKS_TRACE read the flag as true with acquire, so they happen-after the flag store,
     * which precedes (under writeLock) every retirement that ran with the flag set, and an array
     * retired before the flag was set was already replaced, so they cannot load it; a reader that
     * switched to TASKS_TRACE after seeing a sleepable array happens-after the flag store the
     * same way (through that array's release publication). (2) A hook
     * whose link is closed is not in any array published afterwards, so after close() and one
     * grace period of each flavor in use (synchronize()) it never runs again. (3) The poison
     * check after running the hooks turns a premature free into an IllegalStateException
     * instead of silence.
     *
     * Hook runs go through the thread's HookContext: it carries the event (plain fields, one
     * thread), enforces the verifier-style rules while the hook runs, and afterwards releases
     * leaked locks and read sections; a rule break or an exception detaches the hook (a writer
     * operation, legal inside a read section because writers never wait for readers) and the
     * other hooks of the event still run. Recursive events (fired from inside a hook on the same
     * thread) run no hooks and count a miss per hook, like the kernel's bpf_prog_active guard.
     * An event whose tracepoint has no hooks returns after one acquire load (no read section, no
     * thread-local lookup), like a disabled tracepoint.
     */

    private static final VarHandle ARRAY;
    private static final VarHandle FREED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            ARRAY = l.findVarHandle(Slot.class, "array", HookArray.class);
            FREED = l.findVarHandle(HookArray.class, "freed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final System.Logger LOG = System.getLogger(TracepointRegistry.class.getName());
    private static final TracepointRegistry GLOBAL = new TracepointRegistry("global", Rcu.global(),
            NativePlatform.instance(), f -> LOG.log(System.Logger.Level.WARNING, f.toString()), null);

    /** An immutable set of attached hooks; "freed" once retired and a grace period has passed. */
    static final class HookArray {
        final HookLink[] hooks;
        final boolean hasSleepable;
        /** Poison, set once by the retirement callback; accessed via FREED. */
        @SuppressWarnings("unused") private boolean freed;

        HookArray(HookLink[] hooks) {
            this.hooks = hooks;
            boolean s = false;
            for (HookLink h : hooks) {
                s |= h.sleepable;
            }
            this.hasSleepable = s;
        }

        void free() {
            FREED.setOpaque(this, true); // opaque: a flag checked by racing readers, no data depends on it
        }

        boolean isFreed() {
            return (boolean) FREED.getOpaque(this);
        }
    }

    /** One tracepoint's published array and the tracker of its one-way sleepable flag. */
    static final class Slot {
        /** Accessed via ARRAY: release on publish, acquire on fire. */
        @SuppressWarnings("unused") private HookArray array = new HookArray(new HookLink[0]);
        final GraceTracker grace;

        Slot(Rcu rcu) {
            grace = new GraceTracker(rcu);
        }
    }

    /** How a retired array is freed: {@link GraceTracker#retire} (tests substitute a broken one). */
    interface Retirer {
        /** Runs {@code free} once the grace period {@code grace} prescribes has passed. */
        void retire(GraceTracker grace, Runnable free);
    }

    private final String name;
    private final Rcu rcu;
    private final Platform platform;
    private final Consumer<HookFailure> failures;
    private final Retirer retirer;
    private final Slot[] slots = new Slot[Tracepoint.values().length];
    private final Object writeLock = new Object();
    private final ThreadLocal<HookContext> contexts = ThreadLocal.withInitial(() -> new HookContext(this));

    TracepointRegistry(String name, Rcu rcu, Platform platform, Consumer<HookFailure> failures, Retirer retirer) {
        this.name = Objects.requireNonNull(name, "name");
        this.rcu = Objects.requireNonNull(rcu, "rcu");
        this.platform = Objects.requireNonNull(platform, "platform");
        this.failures = Objects.requireNonNull(failures, "failures");
        this.retirer = retirer != null ? retirer : GraceTracker::retire;
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(rcu);
        }
    }

    /** The process-wide registry: {@link Rcu#global()}, {@link NativePlatform}, failures logged as warnings. */
    public static TracepointRegistry global() {
        return GLOBAL;
    }

    /**
     * A registry of its own, e.g. one per scheduler-model run.
     *
     * @param name     for messages
     * @param rcu      the domain whose read sections protect the hook arrays (and in which hooks
     *                 run); the map-access barrier synchronizes on it
     * @param platform what {@link HookContext#sleep} and {@link HookContext#platform()} use
     * @param failures told about every hook the runtime detaches (on the firing thread)
     */
    public static TracepointRegistry create(String name, Rcu rcu, Platform platform, Consumer<HookFailure> failures) {
        return new TracepointRegistry(name, rcu, platform, failures, null);
    }

    /** The name given at creation. */
    public String name() {
        return name;
    }

    /** The rcu domain hook invocations run in. */
    public Rcu rcu() {
        return rcu;
    }

    /** The platform hooks block through. */
    public Platform platform() {
        return platform;
    }

    // ---------------------------------------------------------------- attach / detach

    /**
     * Attaches {@code program} to {@code tp}; it runs for every event fired after this returns.
     * A sleepable hook may block ({@link HookContext#sleep}, {@link HookContext#lock}) and runs in
     * a {@link Flavor#TASKS_TRACE} read section; its tracepoint's retired arrays are then freed
     * only after both grace periods, from now on.
     *
     * @return the link; close it to detach
     * @throws ScratchException EINVAL (nothing attached) when the program declares a map of
     *                          another rcu domain than this registry's
     */
    public HookLink attach(Tracepoint tp, HookProgram program, boolean sleepable) {
        Objects.requireNonNull(tp, "tp");
        Objects.requireNonNull(program, "program");
        HookLink link = new HookLink(this, tp, program, sleepable);
        if (link.usedMaps != null) {
            for (TaskStorageMap m : link.usedMaps) {
                if (m.rcu() != rcu) { // the map's grace periods would not wait for this hook (like a load-time reject)
                    throw new ScratchException(Errno.EINVAL, link + " declares map \"" + m.name() + "\" of rcu domain \""
                            + m.rcu().name() + "\" but registry '" + name + "' runs hooks in domain \"" + rcu.name() + "\"");
                }
            }
        }
        MapAccessBarrier.register(link); // before publication: the barrier must know every hook that can run
        Slot s = slots[tp.ordinal()];
        synchronized (writeLock) {
            HookArray old = (HookArray) ARRAY.get(s); // plain: writers are serialised by writeLock
            HookLink[] hs = Arrays.copyOf(old.hooks, old.hooks.length + 1);
            hs[old.hooks.length] = link;
            if (sleepable) {
                s.grace.markSleepable(); // before the array that needs it is published
            }
            publish(s, old, new HookArray(hs));
        }
        return link;
    }

    /** Detaches {@code link} (if still attached), recording {@code failure}; false if it was already detached. */
    boolean detach(HookLink link, Throwable failure) {
        Slot s = slots[link.tracepoint.ordinal()];
        synchronized (writeLock) {
            if (!link.attached) {
                return false;
            }
            link.failure = failure;
            link.attached = false;
            HookArray old = (HookArray) ARRAY.get(s); // plain: under writeLock
            HookLink[] hs = new HookLink[old.hooks.length - 1];
            int n = 0;
            for (HookLink h : old.hooks) {
                if (h != link) {
                    hs[n++] = h;
                }
            }
            publish(s, old, new HookArray(hs));
        }
        return true;
    }

    private void publish(Slot s, HookArray old, HookArray now) {
        ARRAY.setRelease(s, now); // release: the array and its links are initialised before readers see it
        retirer.retire(s.grace, old::free);
    }

    /** The hooks currently attached to {@code tp}, in attach order. */
    public HookLink[] attached(Tracepoint tp) {
        return published(tp).hooks.clone();
    }

    HookArray published(Tracepoint tp) {
        return (HookArray) ARRAY.getAcquire(slots[tp.ordinal()]); // acquire: see the array's and links' fields
    }

    /**
     * Waits until every hook invocation that began before this call has finished: one grace
     * period of each flavor hooks run in. After {@link HookLink#close()} and this, the hook never
     * runs again.
     *
     * @throws IllegalStateException from inside a hook (it would wait for itself)
     */
    public void synchronize() {
        if (anySleepable()) {
            rcu.synchronize(Flavor.TASKS_TRACE);
        }
        rcu.synchronize(Flavor.NORMAL);
    }

    private boolean anySleepable() {
        for (Slot s : slots) {
            if (s.grace.hasSleepable()) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- firing

    /**
     * Fires {@code sched_switch}: {@code cpu} switches from {@code prev} to {@code next}.
     *
     * @param prev    the task switched out, or null if the CPU was idle
     * @param next    the task switched in, or null if the CPU goes idle
     * @param preempt whether {@code prev} was switched out involuntarily
     * @param nowNs   the event time
     */
    public void fireSchedSwitch(TaskHandle prev, TaskHandle next, int cpu, boolean preempt, long nowNs) {
        if (idle(Tracepoint.SCHED_SWITCH)) {
            return;
        }
        HookContext c = contexts.get();
        c.prev = prev;
        c.next = next;
        c.preempt = preempt;
        dispatch(c, Tracepoint.SCHED_SWITCH, cpu, nowNs);
        c.prev = null; // drop references so the per-thread context does not keep tasks reachable
        c.next = null;
    }

    /**
     * Fires {@code sched_wakeup}: {@code task} becomes runnable on {@code cpu}.
     *
     * @param waker the waking task, or null for a timeout
     */
    public void fireSchedWakeup(TaskHandle task, int cpu, TaskHandle waker, long nowNs) {
        if (idle(Tracepoint.SCHED_WAKEUP)) {
            return;
        }
        HookContext c = contexts.get();
        c.task = task;
        c.waker = waker;
        dispatch(c, Tracepoint.SCHED_WAKEUP, cpu, nowNs);
        c.task = null;
        c.waker = null;
    }

    /** Fires {@code sched_migrate_task}: {@code task} moves from {@code fromCpu} to {@code toCpu}. */
    public void fireSchedMigrateTask(TaskHandle task, int fromCpu, int toCpu, long nowNs) {
        if (idle(Tracepoint.SCHED_MIGRATE_TASK)) {
            return;
        }
        HookContext c = contexts.get();
        c.task = task;
        c.fromCpu = fromCpu;
        c.toCpu = toCpu;
        dispatch(c, Tracepoint.SCHED_MIGRATE_TASK, toCpu, nowNs);
        c.task = null;
    }

    /**
     * Fires {@code task_fork}: {@code parent} forks {@code child}.
     *
     * @param parent the forking task, or null
     * @param cpu    the CPU, or -1 if unknown
     */
    public void fireTaskFork(TaskHandle parent, TaskHandle child, int cpu, long nowNs) {
        if (idle(Tracepoint.TASK_FORK)) {
            return;
        }
        HookContext c = contexts.get();
        c.parent = parent;
        c.child = child;
        dispatch(c, Tracepoint.TASK_FORK, cpu, nowNs);
        c.parent = null;
        c.child = null;
    }

    /**
     * Fires {@code task_exit}: {@code task} exits.
     *
     * @param cpu the CPU, or -1 if unknown
     */
    public void fireTaskExit(TaskHandle task, int cpu, long nowNs) {
        if (idle(Tracepoint.TASK_EXIT)) {
            return;
        }
        HookContext c = contexts.get();
        c.task = task;
        dispatch(c, Tracepoint.TASK_EXIT, cpu, nowNs);
        c.task = null;
    }

    /**
     * Whether no hook is attached: then the event needs no read section and no context (like a
     * disabled tracepoint's static key). An attach racing with this check may miss this event,
     * which is fine: the event did not happen after the attach returned.
     */
    private boolean idle(Tracepoint tp) {
        // acquire: the length is read from the published array, which must be initialised
        return ((HookArray) ARRAY.getAcquire(slots[tp.ordinal()])).hooks.length == 0;
    }

    private void dispatch(HookContext c, Tracepoint tp, int cpu, long nowNs) {
        Slot s = slots[tp.ordinal()];
        if (c.dispatching) {
            countMisses(s);
            return;
        }
        c.tracepoint = tp;
        c.cpu = cpu;
        c.nowNs = nowNs;
        // volatile read: a TASKS_TRACE reader must happen-after the flag store (overview, invariant 1)
        Flavor outer = s.grace.hasSleepable() ? Flavor.TASKS_TRACE : Flavor.NORMAL;
        rcu.readLock(outer);
        c.dispatching = true;
        try {
            HookArray a = (HookArray) ARRAY.getAcquire(s); // acquire: pairs with publish's release
            if (outer == Flavor.NORMAL && a.hasSleepable) {
                rcu.readUnlock(Flavor.NORMAL); // raced with the first sleepable attach: become a tasks-trace reader
                outer = Flavor.TASKS_TRACE;
                rcu.readLock(outer);
                a = (HookArray) ARRAY.getAcquire(s);
            }
            for (HookLink h : a.hooks) {
                if (outer == Flavor.TASKS_TRACE && !h.sleepable) {
                    rcu.readLock(Flavor.NORMAL);
                    try {
                        run(c, h);
                    } finally {
                        rcu.readUnlock(Flavor.NORMAL);
                    }
                } else {
                    run(c, h);
                }
            }
            if (a.isFreed()) {
                throw new IllegalStateException("registry '" + name + "': " + tp + " hook array freed while a reader"
                        + " still used it (grace period too short)");
            }
        } finally {
            c.dispatching = false;
            rcu.readUnlock(outer);
        }
    }

    private void run(HookContext c, HookLink h) {
        c.begin(h);
        Throwable thrown = null;
        try {
            h.program.run(c);
        } catch (RuntimeException e) {
            thrown = e;
        } finally {
            Throwable problem = c.end(thrown);
            if (problem != null && detach(h, problem)) {
                failures.accept(new HookFailure(h, problem));
            }
        }
    }

    private void countMisses(Slot s) {
        // Both flavors: whichever grace period retires the array, this short section is covered.
        rcu.readLock(Flavor.NORMAL);
        rcu.readLock(Flavor.TASKS_TRACE);
        try {
            for (HookLink h : ((HookArray) ARRAY.getAcquire(s)).hooks) { // acquire: pairs with publish's release
                h.misses.increment();
            }
        } finally {
            rcu.readUnlock(Flavor.TASKS_TRACE);
            rcu.readUnlock(Flavor.NORMAL);
        }
    }

    @Override
    public String toString() {
        return "TracepointRegistry[" + name + "]";
    }
}
