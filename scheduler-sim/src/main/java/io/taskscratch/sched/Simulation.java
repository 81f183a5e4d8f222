package io.taskscratch.sched;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.platform.PlatformTask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A deterministic discrete-event scheduler model that runs real Java task code in lockstep.
 *
 * <pre>{@code
 * Simulation sim = new Simulation(SimConfig.builder().cpus(2).seed(42).build());
 * sim.addListener(recorder);
 * sim.spawn("worker", p -> { p.work(1_000); p.park(); });
 * sim.spawnDaemon("hog", Workloads.cpuHog(100_000));
 * SimResult r = sim.run(100_000_000L);            // 100 ms of virtual time
 * }</pre>
 *
 * <h2>Implementation overview</h2>
 *
 * <p><b>Model.</b> Virtual time advances only through the {@link EventQueue}, ordered by
 * (time, sequence). Each task owns a RESUME event ("its current model call returns at t") and a
 * TIMER event (parkNanos timeout); each CPU owns a SLICE event; one BALANCE event drives periodic
 * load balancing. A task's Java code between two model calls takes no virtual time. A model call
 * schedules the caller's RESUME ({@code work(ns)} at now+ns, most others at now) or blocks it
 * ({@code park}), then runs the event loop. An involuntary switch-out cancels the RESUME and
 * remembers how much of the call was left; the next switch-in re-posts it after the
 * context-switch cost. Invariants: a task is the {@code curr} of at most one CPU and then
 * RUNNING; a RUNNABLE task is in exactly one run queue, that of {@link SimTask#cpu()}; a
 * RESUME event is queued only for a RUNNING task.
 *
 * <p><b>Lockstep (baton passing).</b> Every task body runs on its own Java thread, but exactly
 * one thread — the baton holder — runs at any moment, and the holder itself runs the event loop.
 * When a model call's loop reaches a RESUME event of the caller, the call simply returns: no
 * thread switch at all (the common case for {@code work}, {@code spinPause} and uncontended
 * {@code unpark}). When it reaches another task's RESUME, the holder passes the baton
 * ({@code go = true; unpark(thread)}) and parks until its own {@code go} is set. The volatile
 * {@code go} write/read pair orders all model state between holders, so the model's fields are
 * plain. The thread that calls {@link #run} holds the baton first and waits, as the watchdog,
 * until the run is over. Because the holder is always unique and the order of events depends
 * only on the model, the host's thread scheduling cannot change the outcome.
 *
 * <p><b>Ending.</b> The loop stops at the time limit, when every non-daemon task has exited, when
 * nothing is left to happen (all parked), or on a failure (a body threw, a listener threw, an
 * invariant broke). The holder then hands the baton back to the {@code run} thread, which
 * releases every other task thread one by one with {@code killed} set: their pending model
 * call throws a private {@link Error} that unwinds the body. A task that makes no model call for
 * {@link SimConfig#watchdogMillis()} host milliseconds is blocked outside the model; the
 * watchdog reports it with its stack and abandons (interrupts) its thread.
 */
public final class Simulation {
    private static final VarHandle PROGRESS;
    private static final Object MAIN = "run thread";
    /** Linux sd->cache_nice_tries: balance attempts that may fail on hot tasks before hot ones move. */
    private static final int CACHE_NICE_TRIES = 1;
    private static final long PS_PER_NS = 1_000L;

    static {
        try {
            PROGRESS = MethodHandles.lookup().findVarHandle(Simulation.class, "progress", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SimConfig config;
    private final SchedPolicy policy;
    private final Cpu[] cpus;
    private final EventQueue events = new EventQueue();
    private final CacheLines cacheLines = new CacheLines();
    private final Event balanceEvent = new Event(Event.BALANCE, null, null);
    private final List<SimTask> tasks = new ArrayList<>();
    /** Membership only, never iterated (iteration order would not be deterministic). */
    private final Set<String> names = new HashSet<>();
    private final SplittableRandom random;
    private final SimPlatform platform;
    private final List<SimInvariant> invariants = new ArrayList<>();
    private final InvariantChecker checker;
    private SchedEventListener[] listeners = new SchedEventListener[0];

    private long now;
    private long eventCount;
    private long modelCalls;
    private long switchCount;
    /** Single writer (the baton holder), read by the watchdog; opaque is enough: it only needs to see change eventually. */
    @SuppressWarnings("unused")
    private long progress;
    private int liveNonDaemon;
    private boolean anyNonDaemon;
    private long endNs;
    private boolean started;
    private boolean stopRequested;
    private boolean dispatching;
    private SimResult.Status status;
    private SimFailureException failure;
    private SimTask stalled;
    private Thread runThread;
    private volatile Object holder;
    private volatile boolean finished;

    /**
     * A simulation with the built-in policy named in {@code config}.
     *
     * @param config the configuration
     */
    public Simulation(SimConfig config) {
        this(config, SchedPolicy.forConfig(config));
    }

    /**
     * A simulation with a custom policy ({@code config.policy()} is then only a label).
     *
     * @param config the configuration
     * @param policy the scheduling policy
     */
    public Simulation(SimConfig config, SchedPolicy policy) {
        if (config == null) {
            throw new ScratchException(Errno.EINVAL, "config null");
        }
        if (policy == null) {
            throw new ScratchException(Errno.EINVAL, "policy null");
        }
        this.config = config;
        this.policy = policy;
        this.cpus = new Cpu[config.cpus()];
        for (int i = 0; i < cpus.length; i++) {
            cpus[i] = new Cpu(i, policy.newRunQueue());
        }
        this.random = new SplittableRandom(config.seed());
        this.platform = new SimPlatform(this);
        this.checker = config.checkInvariants() ? new InvariantChecker() : null;
    }

    // ------------------------------------------------------------------ public API

    /** The configuration. */
    public SimConfig config() {
        return config;
    }

    /** The scheduling policy. */
    public SchedPolicy policy() {
        return policy;
    }

    /** The simulated platform task bodies use (also passed to every {@link TaskBody}). */
    public SimPlatform platform() {
        return platform;
    }

    /** Number of CPUs. */
    public int cpuCount() {
        return cpus.length;
    }

    /** The task running on {@code cpu}, or null when idle. */
    public SimTask runningOn(int cpu) {
        return cpus[cpu].curr;
    }

    /** Tasks queued on {@code cpu}'s run queue. */
    public int queued(int cpu) {
        return cpus[cpu].rq.size();
    }

    /** All tasks ever created, in creation (id) order. */
    public List<SimTask> tasks() {
        return Collections.unmodifiableList(tasks);
    }

    /**
     * A new random stream split from the run's seed, for hooks and writers that need randomness
     * (a lossy writer's drop decisions, say). Call it at a deterministic point — before
     * {@link #run}, or from a listener — so the run stays reproducible.
     *
     * @return a fresh stream
     */
    public SplittableRandom splitRandom() {
        return random.split();
    }

    /** Current virtual time in nanoseconds. */
    public long now() {
        return now;
    }

    /**
     * Adds an event listener; call before {@link #run}.
     *
     * @param listener the listener, called in registration order
     */
    public void addListener(SchedEventListener listener) {
        checkNotStarted("addListener");
        if (listener == null) {
            throw new ScratchException(Errno.EINVAL, "listener null");
        }
        listeners = Arrays.copyOf(listeners, listeners.length + 1);
        listeners[listeners.length - 1] = listener;
    }

    /**
     * Adds a check run after every event when {@link SimConfig#checkInvariants()} is on.
     *
     * @param invariant the check
     */
    public void addInvariant(SimInvariant invariant) {
        checkNotStarted("addInvariant");
        if (invariant == null) {
            throw new ScratchException(Errno.EINVAL, "invariant null");
        }
        invariants.add(invariant);
    }

    /**
     * Registers a task that starts at virtual time 0; the run ends when all such tasks exited.
     *
     * @param name unique name
     * @param body its code
     * @return the task
     * @throws ScratchException EEXIST when the name is already registered, EINVAL for a null or
     *                          empty name or a null body, EBUSY once the run started (fork from a task instead)
     */
    public SimTask spawn(String name, TaskBody body) {
        checkNotStarted("spawn");
        return register(name, body, false, 0);
    }

    /**
     * Registers a background task (a CPU hog, say): the run does not wait for it to exit.
     *
     * @param name unique name
     * @param body its code
     * @return the task
     */
    public SimTask spawnDaemon(String name, TaskBody body) {
        checkNotStarted("spawnDaemon");
        return register(name, body, true, 0);
    }

    /**
     * Registers a task that starts at virtual time {@code startNs}.
     *
     * @param name    unique name
     * @param body    its code
     * @param daemon  whether the run may end without it
     * @param startNs virtual start time, &ge; 0
     * @return the task
     */
    public SimTask spawnAt(String name, TaskBody body, boolean daemon, long startNs) {
        checkNotStarted("spawnAt");
        if (startNs < 0) {
            throw new ScratchException(Errno.EINVAL, "startNs " + startNs + ": must be >= 0");
        }
        return register(name, body, daemon, startNs);
    }

    /**
     * Runs the model for at most {@code virtualNs} of virtual time. Returns when the limit is
     * reached, every non-daemon task exited, or every live task is parked for good.
     *
     * @param virtualNs virtual time limit, &gt; 0
     * @return how the run ended
     * @throws SimFailureException a task body or listener threw, an invariant broke, or a task
     *                             blocked outside the model
     * @throws ScratchException    EINVAL for a bad limit, EBUSY when this simulation already ran
     */
    public SimResult run(long virtualNs) {
        if (virtualNs <= 0) {
            throw new ScratchException(Errno.EINVAL, "virtualNs " + virtualNs + ": must be > 0");
        }
        checkNotStarted("run");
        started = true;
        endNs = virtualNs;
        runThread = Thread.currentThread();
        holder = MAIN;
        passTo(advance());
        watch();
        releaseTaskThreads();
        if (failure != null) {
            throw failure;
        }
        List<String> blocked = new ArrayList<>();
        for (SimTask t : tasks) {
            if (t.state == TaskState.BLOCKED) {
                blocked.add(t.name);
            }
        }
        return new SimResult(status, now, eventCount, modelCalls, switchCount, List.copyOf(blocked));
    }

    // ------------------------------------------------------------------ registration

    private void checkNotStarted(String what) {
        if (started) {
            throw new ScratchException(Errno.EBUSY, what + ": the simulation already started");
        }
    }

    private SimTask register(String name, TaskBody body, boolean daemon, long startNs) {
        SimTask t = newTask(name, body, daemon);
        events.schedule(t.startEvent, startNs);
        return t;
    }

    private SimTask newTask(String name, TaskBody body, boolean daemon) {
        if (name == null || name.isEmpty()) {
            throw new ScratchException(Errno.EINVAL, "task name '" + name + "': must be non-empty");
        }
        if (body == null) {
            throw new ScratchException(Errno.EINVAL, "task body of '" + name + "': null");
        }
        if (!names.add(name)) {
            throw new ScratchException(Errno.EEXIST, "task name '" + name + "': a task with this name is already registered");
        }
        SimTask t = new SimTask(this, tasks.size(), name, body, daemon, random.split());
        tasks.add(t);
        if (!daemon) {
            liveNonDaemon++;
            anyNonDaemon = true;
        }
        return t;
    }

    // ------------------------------------------------------------------ model calls (task threads)

    /** Verifies the caller is the running task's thread and counts the call. */
    private SimTask enter() {
        if (holder instanceof SimTask t && t.thread == Thread.currentThread() && !finished) {
            if (dispatching) {
                throw new ScratchException(Errno.EPERM, "an event listener called the simulated platform from task '"
                        + t.name + "': listeners must not call the model");
            }
            modelCalls++;
            PROGRESS.setOpaque(this, modelCalls + eventCount);
            return t;
        }
        if (finished) {
            throw new SimTerminated();
        }
        throw new ScratchException(Errno.EPERM, "simulated platform called from thread '" + Thread.currentThread().getName()
                + "', which is not the running simulated task");
    }

    SimTask current() {
        return enter();
    }

    long virtualNow() {
        enter();
        return now;
    }

    /** A clock read by task code: costs {@link CostProfile#clockReadNs()}, returns the time when the read completes. */
    long clockRead() {
        SimTask self = enter();
        long cost = config.costs().clockReadNs();
        if (cost > 0) {
            continueAfter(self, cost);
            handOff(self);
        }
        return now;
    }

    void work(long ns) {
        SimTask self = enter();
        if (ns < 0) {
            throw new ScratchException(Errno.EINVAL, "work ns " + ns + ": must be >= 0");
        }
        continueAfter(self, ns);
        handOff(self);
    }

    void spinPause() {
        SimTask self = enter();
        continueAfter(self, config.spinPauseNs());
        handOff(self);
    }

    /** {@code loads} polls of a shared word: {@link CostProfile#spinLoadPs()} each, rounded to the nearest ns. */
    void spinLoads(int loads) {
        SimTask self = enter();
        if (loads < 0) {
            throw new ScratchException(Errno.EINVAL, "spinLoads " + loads + ": must be >= 0");
        }
        continueAfter(self, (loads * config.costs().spinLoadPs() + PS_PER_NS / 2) / PS_PER_NS);
        handOff(self);
    }

    /**
     * An access to a shared cache line: costs the wait for the line ({@link CacheLines}), a
     * preemption point only when that is not 0.
     */
    void lineAccess(Object line, boolean write) {
        SimTask self = enter();
        long wait = cacheLines.access(line, write, self.cpu, now, config.costs().lineTransferNs());
        if (wait > 0) {
            continueAfter(self, wait);
            handOff(self);
        }
    }

    void park(boolean timed, long ns) {
        SimTask self = enter();
        long cost = config.costs().parkNs();
        if (cost > 0 && !self.permit && !self.interrupted && !(timed && ns <= 0)) {
            continueAfter(self, cost); // the syscall's own run time; an unpark meanwhile leaves a permit
            handOff(self);
        }
        if (self.permit) {
            self.permit = false;
            continueAfter(self, 0);
        } else if (self.interrupted || (timed && ns <= 0)) {
            continueAfter(self, 0);
        } else {
            self.parked = true;
            if (timed) {
                events.schedule(self.timerEvent, saturatedAdd(now, saturatedAdd(ns, config.costs().timerSlackNs())));
            }
            block(self);
        }
        handOff(self);
    }

    void unpark(PlatformTask task) {
        SimTask self = enter();
        SimTask target = own(task, "unpark");
        if (target.parked) {
            Cpu to = wakeTarget(target);
            continueAfter(self, idle(to) ? config.costs().unparkIdleNs() : config.costs().unparkBusyNs());
            wake(target, to, self);
        } else {
            continueAfter(self, 0);
            if (target.state != TaskState.EXITED) {
                target.permit = true; // also for a wake-up in flight: its next park may return at once (spurious, allowed)
            }
        }
        handOff(self);
    }

    void interrupt(PlatformTask task) {
        SimTask self = enter();
        SimTask target = own(task, "interrupt");
        continueAfter(self, 0);
        target.interrupted = true;
        if (target.parked) {
            wake(target, self);
        }
        handOff(self);
    }

    boolean interrupted(boolean clear) {
        SimTask self = enter();
        boolean was = self.interrupted;
        if (clear) {
            self.interrupted = false;
        }
        return was;
    }

    void yieldCpu() {
        SimTask self = enter();
        Cpu c = cpus[self.cpu];
        if (c.rq.size() > 0) {
            continueAfter(self, 0);
            requeueCurrent(c, EnqueueReason.YIELD); // the switch-in pays the context switch
        } else {
            continueAfter(self, config.costs().yieldNs());
        }
        handOff(self);
    }

    SimTask fork(String name, TaskBody body, boolean daemon) {
        SimTask self = enter();
        SimTask child = newTask(name, body, daemon);
        continueAfter(self, 0);
        place(child, self);
        handOff(self);
        return child;
    }

    void mark(String label, long startNs, long endNs) {
        SimTask self = enter();
        if (label == null || startNs > endNs || endNs > now) {
            throw new ScratchException(Errno.EINVAL, "mark '" + label + "' [" + startNs + ", " + endNs
                    + "]: needs a label and start <= end <= now (" + now + ")");
        }
        dispatch(l -> l.onMark(self, label, startNs, endNs));
    }

    private SimTask own(PlatformTask task, String op) {
        if (task instanceof SimTask t && t.sim == this) {
            return t;
        }
        throw new ScratchException(Errno.EINVAL, op + " task " + task + ": not a task of this simulation");
    }

    private void continueAfter(SimTask self, long ns) {
        self.resumeAt = saturatedAdd(now, ns);
        events.schedule(self.resumeEvent, self.resumeAt);
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < a ? Long.MAX_VALUE : r;
    }

    // ------------------------------------------------------------------ baton passing

    /** Runs the model until some task must run code; returns to the caller when that is itself. */
    private void handOff(SimTask self) {
        SimTask next = advance();
        if (next == self) {
            return;
        }
        passTo(next);
        awaitTurn(self);
    }

    private void passTo(SimTask next) {
        if (next == null) {
            holder = MAIN;
            finished = true;
            LockSupport.unpark(runThread);
            return;
        }
        holder = next;
        if (next.thread == null) {
            Runnable r = () -> taskMain(next);
            next.thread = config.threads() == ThreadKind.VIRTUAL
                    ? Thread.ofVirtual().name("sim-" + next.name).unstarted(r)
                    : Thread.ofPlatform().daemon().name("sim-" + next.name).unstarted(r);
            next.thread.start();
        } else {
            next.go = true;
            LockSupport.unpark(next.thread);
        }
    }

    private void awaitTurn(SimTask self) {
        while (!self.go) {
            LockSupport.park(this);
        }
        self.go = false;
        if (self.killed) {
            throw new SimTerminated();
        }
    }

    private void taskMain(SimTask self) {
        try {
            self.body.run(platform);
        } catch (SimTerminated e) {
            return;
        } catch (Throwable e) {
            if (!finished) {
                stop(new SimFailureException(SimFailureException.Kind.TASK_THREW, self.name, now, e.toString(), e));
                passTo(null);
            }
            return;
        }
        if (finished || self.killed) {
            return;
        }
        exit(self);
        passTo(advance());
    }

    private void watch() {
        long limitNs = TimeUnit.MILLISECONDS.toNanos(config.watchdogMillis());
        long pollNs = Math.max(1_000_000L, Math.min(limitNs / 4, 50_000_000L));
        long seen = -1;
        long lastChange = System.nanoTime();
        while (!finished) {
            LockSupport.parkNanos(this, pollNs);
            long p = (long) PROGRESS.getOpaque(this);
            long hostNow = System.nanoTime();
            if (p != seen) {
                seen = p;
                lastChange = hostNow;
            } else if (!finished && hostNow - lastChange > limitNs) {
                reportStall();
                return;
            }
        }
    }

    private void reportStall() {
        Object h = holder;
        SimTask t = h instanceof SimTask s ? s : null;
        StackTraceElement[] stack = t != null ? t.thread.getStackTrace() : new StackTraceElement[0];
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < Math.min(4, stack.length); i++) {
            where.append("\n\tat ").append(stack[i]);
        }
        SimFailureException f = new SimFailureException(SimFailureException.Kind.STALLED, t == null ? "-" : t.name, now,
                "no model call for " + config.watchdogMillis() + " ms of host time: the task is blocked outside the model"
                        + " (Thread.sleep, a JDK lock, I/O?)" + where, null);
        f.setStackTrace(stack);
        if (failure == null) {
            failure = f;
        }
        stalled = t;
        finished = true;
        if (t != null) {
            t.thread.interrupt();
        }
    }

    /** Unwinds the remaining task threads one at a time, so bodies never run concurrently. */
    private void releaseTaskThreads() {
        for (SimTask t : tasks) {
            Thread th = t.thread;
            if (th == null || t == stalled || !th.isAlive()) {
                continue;
            }
            t.killed = true;
            t.go = true;
            LockSupport.unpark(th);
            try {
                th.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void stop(SimFailureException f) {
        if (failure == null) {
            failure = f;
        }
        stopRequested = true;
    }

    private String holderName() {
        return holder instanceof SimTask t ? t.name : "-";
    }

    // ------------------------------------------------------------------ event loop

    /** Processes events until a task's model call returns (that task) or the run ends (null). */
    private SimTask advance() {
        while (true) {
            if (checker != null) {
                checker.check();
            }
            if (stopRequested) {
                end(status);
                return null;
            }
            if (anyNonDaemon && liveNonDaemon == 0) {
                end(SimResult.Status.COMPLETED);
                return null;
            }
            Event e = events.peek();
            if (e == null) {
                end(liveNonDaemon == 0 ? SimResult.Status.COMPLETED : SimResult.Status.ALL_BLOCKED);
                return null;
            }
            if (e.time > endNs) {
                now = endNs;
                end(SimResult.Status.TIME_LIMIT);
                return null;
            }
            events.poll();
            now = e.time;
            eventCount++;
            PROGRESS.setOpaque(this, modelCalls + eventCount);
            switch (e.kind) {
                case Event.RESUME -> {
                    return e.task;
                }
                case Event.SLICE -> sliceEnd(e.cpu);
                case Event.TIMER -> {
                    if (e.task.parked) {
                        wake(e.task, null);
                    }
                }
                case Event.BALANCE -> balance();
                case Event.START -> place(e.task, null);
                case Event.WAKE -> wakeArrived(e.task);
                default -> throw new IllegalStateException("event kind " + e.kind);
            }
        }
    }

    private void end(SimResult.Status s) {
        status = s;
        for (Cpu c : cpus) {
            updateCurr(c);
        }
    }

    // ------------------------------------------------------------------ scheduling core

    private void updateCurr(Cpu c) {
        SimTask t = c.curr;
        if (t != null) {
            long delta = now - c.runStart;
            if (delta > 0) {
                t.runNs += delta;
                policy.account(c.rq, t, delta);
            }
            c.runStart = now;
        }
    }

    private void armSlice(Cpu c) {
        events.schedule(c.sliceEvent, policy.sliceEnd(c.rq, c.curr, now));
    }

    private void armBalance() {
        if (cpus.length > 1 && !balanceEvent.queued()) {
            long interval = config.balanceIntervalNs();
            events.schedule(balanceEvent, saturatedAdd((now / interval) * interval, interval));
        }
    }

    /** Cancels {@code t}'s pending RESUME and remembers how much of its model call is left. */
    private void suspend(SimTask t) {
        t.remaining = Math.max(0, t.resumeAt - Math.max(now, t.execStart));
        events.cancel(t.resumeEvent);
    }

    /** {@code t} was queued and immediately picked again: it keeps running, no switch. */
    private void resumeRunning(Cpu c, SimTask t) {
        t.state = TaskState.RUNNING;
        t.resumeAt = saturatedAdd(Math.max(now, t.execStart), t.remaining);
        t.remaining = 0;
        events.schedule(t.resumeEvent, t.resumeAt);
        armSlice(c);
    }

    private void switchTo(Cpu c, SimTask prev, SimTask next, boolean preempt) {
        if (prev != null) {
            prev.onCpu = false;
            prev.switches++;
            prev.lastSwitchNs = now;
            prev.lastRanAt = now;
            if (preempt) {
                prev.preemptions++;
            } else {
                prev.voluntarySwitches++;
            }
        }
        c.curr = next;
        if (next != null) {
            next.state = TaskState.RUNNING;
            next.onCpu = true;
            next.switches++;
            next.lastSwitchNs = now;
            long delay = now - next.waitSince;
            next.waitNs += delay;
            next.maxDelayNs = Math.max(next.maxDelayNs, delay);
            next.execStart = now + config.contextSwitchNs();
            next.resumeAt = saturatedAdd(next.execStart, next.remaining);
            next.remaining = 0;
            events.schedule(next.resumeEvent, next.resumeAt);
            c.runStart = now;
            armSlice(c);
        } else {
            events.cancel(c.sliceEvent);
        }
        switchCount++;
        if (listeners.length > 0) {
            int cpu = c.id;
            dispatch(l -> l.onSwitch(prev, next, cpu, preempt, now));
        }
    }

    private SimTask pickNext(Cpu c) {
        SimTask next = c.rq.poll();
        if (next == null && config.idleStealing()) {
            next = steal(c);
        }
        return next;
    }

    /** Newidle balance: take the least urgent queued task of the CPU with the longest queue. */
    private SimTask steal(Cpu c) {
        Cpu busiest = null;
        for (int k = 1; k < cpus.length; k++) {
            Cpu o = cpus[(c.id + k) % cpus.length];
            if (o.rq.size() > 0 && (busiest == null || o.rq.size() > busiest.rq.size())) {
                busiest = o;
            }
        }
        if (busiest == null) {
            return null;
        }
        SimTask t = busiest.rq.pollMigratable(now, 0, true);
        if (t != null) {
            migrate(t, busiest, c);
            c.rq.adopt(t);
        }
        return t;
    }

    private void migrate(SimTask t, Cpu from, Cpu to) {
        policy.migrate(t, from.rq, to.rq);
        t.cpu = to.id;
        t.migrations++;
        dispatch(l -> l.onMigrate(t, from.id, to.id, now));
    }

    private void block(SimTask self) {
        Cpu c = cpus[self.cpu];
        updateCurr(c);
        events.cancel(self.resumeEvent);
        self.state = TaskState.BLOCKED;
        c.rq.left(self, false);
        switchTo(c, self, pickNext(c), false);
    }

    private void exit(SimTask self) {
        Cpu c = cpus[self.cpu];
        updateCurr(c);
        events.cancel(self.resumeEvent);
        events.cancel(self.timerEvent);
        self.state = TaskState.EXITED;
        if (!self.daemon) {
            liveNonDaemon--;
        }
        dispatch(l -> l.onExit(self, now));
        c.rq.left(self, true);
        switchTo(c, self, pickNext(c), false);
    }

    private void preempt(Cpu c) {
        requeueCurrent(c, EnqueueReason.PREEMPTED);
    }

    /** Puts the running task back in its queue (preemption or yield) and runs whoever comes first. */
    private void requeueCurrent(Cpu c, EnqueueReason reason) {
        SimTask prev = c.curr;
        updateCurr(c);
        suspend(prev);
        prev.state = TaskState.RUNNABLE;
        prev.waitSince = now;
        c.rq.enqueue(prev, reason);
        SimTask next = c.rq.poll();
        if (next == prev) {
            resumeRunning(c, prev);
        } else {
            switchTo(c, prev, next, reason == EnqueueReason.PREEMPTED);
        }
    }

    private void sliceEnd(Cpu c) {
        if (c.curr == null) {
            return;
        }
        updateCurr(c);
        if (c.rq.size() == 0) {
            armSlice(c);
        } else {
            preempt(c);
        }
    }

    /** Puts a new task on the least loaded CPU (Linux sched_balance_fork, simplified). */
    private void place(SimTask t, SimTask parent) {
        int start = parent == null ? 0 : parent.cpu;
        Cpu best = cpus[start];
        for (int k = 1; k < cpus.length && best.load() > 0; k++) {
            Cpu o = cpus[(start + k) % cpus.length];
            if (o.load() < best.load()) {
                best = o;
            }
        }
        t.cpu = best.id;
        t.state = TaskState.RUNNABLE;
        dispatch(l -> l.onFork(parent, t, now));
        enqueue(best, t, EnqueueReason.FORK);
        checkPreempt(best, t);
    }

    /**
     * Wakes a parked task onto {@link #wakeTarget}. The task becomes runnable after the wake-up
     * latency of that choice (at once when it is 0); until then it stays BLOCKED with a wake-up in
     * flight, and the CPU does not count as idle.
     */
    private void wake(SimTask t, SimTask waker) {
        wake(t, wakeTarget(t), waker);
    }

    /** The CPU a wake-up goes to: the previous CPU if idle, else the first idle CPU after it, else the previous CPU. */
    private Cpu wakeTarget(SimTask t) {
        Cpu prevCpu = cpus[t.cpu];
        if (!idle(prevCpu) && !prevCpu.rq.keepsOnWake(t)) {
            for (int k = 1; k < cpus.length; k++) {
                Cpu o = cpus[(prevCpu.id + k) % cpus.length];
                if (idle(o)) {
                    return o;
                }
            }
        }
        return prevCpu;
    }

    private void wake(SimTask t, Cpu target, SimTask waker) {
        events.cancel(t.timerEvent);
        t.parked = false;
        t.remaining = 0;
        long latency = idle(target) ? config.costs().wakeupIdleNs() : config.costs().wakeupBusyNs();
        if (latency == 0) {
            becomeRunnable(t, target, waker);
        } else {
            t.waking = true;
            t.wakeCpu = target.id;
            t.wakeWaker = waker;
            target.pendingWakes++;
            events.schedule(t.wakeEvent, saturatedAdd(now, latency));
        }
    }

    private static boolean idle(Cpu c) {
        return c.load() == 0 && c.pendingWakes == 0;
    }

    /** The end of a wake-up in flight. */
    private void wakeArrived(SimTask t) {
        Cpu target = cpus[t.wakeCpu];
        target.pendingWakes--;
        t.waking = false;
        SimTask waker = t.wakeWaker;
        t.wakeWaker = null;
        becomeRunnable(t, target, waker);
    }

    private void becomeRunnable(SimTask t, Cpu target, SimTask waker) {
        Cpu prevCpu = cpus[t.cpu];
        if (target != prevCpu) {
            migrate(t, prevCpu, target);
        }
        enqueue(target, t, EnqueueReason.WAKEUP);
        dispatch(l -> l.onWakeup(t, target.id, waker, now));
        checkPreempt(target, t);
    }

    private void enqueue(Cpu c, SimTask t, EnqueueReason reason) {
        if (c.curr != null && policy.updatesCurrOnEnqueue()) {
            updateCurr(c);
        }
        t.state = TaskState.RUNNABLE;
        if (reason != EnqueueReason.MIGRATED) {
            t.waitSince = now;
        }
        c.rq.enqueue(t, reason);
        armBalance();
    }

    /** An idle CPU takes the new arrival at once; a busy one may be preempted (check_preempt_curr). */
    private void checkPreempt(Cpu c, SimTask arrived) {
        if (c.curr == null) {
            switchTo(c, null, pickNext(c), false);
        } else if (config.wakeupPreemption() && arrived.state == TaskState.RUNNABLE && preemptsOnArrival(c, arrived)) {
            preempt(c);
        } else {
            shortenSlice(c);
        }
    }

    private boolean preemptsOnArrival(Cpu c, SimTask arrived) {
        updateCurr(c);
        return policy.wakeupPreempts(c.rq, c.curr, arrived);
    }

    /** An arrival that did not preempt may bring the running task's slice end forward ({@link SchedPolicy#sliceEndOnArrival}). */
    private void shortenSlice(Cpu c) {
        long end = policy.sliceEndOnArrival(c.rq, c.curr, now);
        if (!c.sliceEvent.queued() || end < c.sliceEvent.time) {
            events.schedule(c.sliceEvent, end);
        }
    }

    /** Periodic balancing: every CPU pulls half the load difference from the busiest CPU. */
    private void balance() {
        boolean queuedAnywhere = false;
        for (Cpu c : cpus) {
            Cpu busiest = c;
            for (int k = 1; k < cpus.length; k++) {
                Cpu o = cpus[(c.id + k) % cpus.length];
                if (o.load() > busiest.load()) {
                    busiest = o;
                }
            }
            int moves = (busiest.load() - c.load()) / 2;
            int moved = 0;
            boolean ignoreHot = c.balanceFailed > CACHE_NICE_TRIES;
            while (moved < moves) {
                SimTask t = busiest.rq.pollMigratable(now, config.migrationCostNs(), ignoreHot);
                if (t == null) {
                    break;
                }
                migrate(t, busiest, c);
                enqueue(c, t, EnqueueReason.MIGRATED);
                if (c.curr == null) {
                    switchTo(c, null, c.rq.poll(), false);
                }
                moved++;
            }
            c.balanceFailed = moves > 0 && moved == 0 ? c.balanceFailed + 1 : 0;
        }
        for (Cpu c : cpus) {
            queuedAnywhere |= c.rq.size() > 0;
        }
        if (queuedAnywhere) {
            armBalance();
        }
    }

    // ------------------------------------------------------------------ listeners

    private void listenerFailed(SchedEventListener l, Throwable e) {
        stop(new SimFailureException(SimFailureException.Kind.LISTENER_THREW, holderName(), now,
                "listener " + l + " threw " + e, e));
    }

    /** Calls every listener; a listener's exception stops the run, and a listener may not call the model. */
    private void dispatch(Consumer<SchedEventListener> event) {
        dispatching = true;
        for (SchedEventListener l : listeners) {
            try {
                event.accept(l);
            } catch (Throwable e) {
                listenerFailed(l, e);
            }
        }
        dispatching = false;
    }

    // ------------------------------------------------------------------ invariants

    /** The model's own invariants (see the class comment), then the registered extra checks. */
    private final class InvariantChecker {
        private long stamp;
        private long[] mark = new long[16];
        private long[] lastSwitches = new long[16];
        private long[] lastSwitchNs = new long[16];
        private int[] lastMigrations = new int[16];
        private int[] lastPreemptions = new int[16];
        private long lastNow;

        void check() {
            try {
                checkModel();
                for (SimInvariant inv : invariants) {
                    inv.check(Simulation.this);
                }
            } catch (RuntimeException | AssertionError e) {
                stop(new SimFailureException(SimFailureException.Kind.INVARIANT, holderName(), now, String.valueOf(e.getMessage()), e));
            }
        }

        /** Messages are built only on failure: this runs after every event. */
        private static IllegalStateException broken(String what) {
            return new IllegalStateException(what);
        }

        private void checkModel() {
            int n = tasks.size();
            if (mark.length < n) {
                int len = Math.max(n, mark.length * 2);
                mark = Arrays.copyOf(mark, len);
                lastSwitches = Arrays.copyOf(lastSwitches, len);
                lastSwitchNs = Arrays.copyOf(lastSwitchNs, len);
                lastMigrations = Arrays.copyOf(lastMigrations, len);
                lastPreemptions = Arrays.copyOf(lastPreemptions, len);
            }
            stamp++;
            if (now < lastNow) {
                throw broken("virtual time went back from " + lastNow + " to " + now);
            }
            lastNow = now;
            for (Cpu c : cpus) {
                SimTask t = c.curr;
                if (t != null) {
                    if (mark[(int) t.id] == stamp) {
                        throw broken("task " + t + " is on more than one CPU (again on cpu " + c.id + ")");
                    }
                    mark[(int) t.id] = stamp;
                    if (t.state != TaskState.RUNNING || !t.onCpu || t.cpu != c.id) {
                        throw broken("cpu " + c.id + " runs " + t + " but the task says state " + t.state
                                + ", on_cpu " + t.onCpu + ", cpu " + t.cpu);
                    }
                }
                c.rq.forEach(q -> {
                    if (mark[(int) q.id] == stamp) {
                        throw broken("task " + q + " is queued twice or queued while running (cpu " + c.id + ")");
                    }
                    mark[(int) q.id] = stamp;
                    if (q.state != TaskState.RUNNABLE || q.cpu != c.id) {
                        throw broken("cpu " + c.id + " queues " + q + " but the task says state " + q.state + ", cpu " + q.cpu);
                    }
                });
            }
            for (SimTask t : tasks) {
                int i = (int) t.id;
                boolean placed = mark[i] == stamp;
                if (placed != (t.state == TaskState.RUNNING || t.state == TaskState.RUNNABLE)) {
                    throw broken("task " + t + " in state " + t.state + (placed ? " sits on a CPU" : " is on no CPU"));
                }
                if (t.onCpu != (t.state == TaskState.RUNNING)) {
                    throw broken("task " + t + " on_cpu " + t.onCpu + " in state " + t.state);
                }
                if (t.switches < lastSwitches[i] || t.lastSwitchNs < lastSwitchNs[i]
                        || t.migrations < lastMigrations[i] || t.preemptions < lastPreemptions[i]) {
                    throw broken("task " + t + " counters went back");
                }
                lastSwitches[i] = t.switches;
                lastSwitchNs[i] = t.lastSwitchNs;
                lastMigrations[i] = t.migrations;
                lastPreemptions[i] = t.preemptions;
            }
        }
    }
}
