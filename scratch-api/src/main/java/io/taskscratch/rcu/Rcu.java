package io.taskscratch.rcu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A domain of read-side sections and grace periods (read-copy-update), in two {@link Flavor}s.
 *
 * <p>Readers bracket their use of shared objects with {@link #readLock}/{@link #readUnlock} (or
 * {@code try (var s = rcu.read(f))}); a writer unpublishes an object, then calls
 * {@link #synchronize} (or queues {@link #callRcu}) and frees it afterwards: no reader can still
 * hold it. Sections nest, cost a few nanoseconds and never block writers' progress except by
 * their own length; a reader that stays too long is reported ({@link StallReport}).
 *
 * <pre>{@code
 * Rcu rcu = Rcu.global();
 * rcu.readLock(Flavor.NORMAL);
 * try { use(shared.getAcquire()); } finally { rcu.readUnlock(Flavor.NORMAL); }
 * // writer
 * Obj old = (Obj) SHARED.getAndSet(this, replacement);
 * rcu.callRcu(Flavor.NORMAL, old::free);
 * }</pre>
 */
public final class Rcu implements AutoCloseable {
    /*
     * Implementation overview.
     *
     * Reader state. Every thread that reads in this domain owns a Reader record (created on its
     * first readLock, found through a ThreadLocal, and added to the copy-on-write array
     * `readers` that writers scan). Per flavor the record holds one word:
     * 0 outside any section, else (epoch << NEST_BITS | nesting). The epoch is the value of that
     * flavor's `started` counter read when the outermost section began. Only the owner writes
     * its words.
     *
     * Reader fast path. readLock at nesting 0: e = started (acquire); state = e<<N | 1 (opaque);
     * then the reader's half of a StoreLoad barrier; nested: state + 1. readUnlock: state - 1
     * with release, so the section's reads happen-before a writer that reads the new state.
     *
     * Grace period (one per flavor at a time, under `gpLock`): e = started + 1 (volatile store);
     * global barrier; for every registered reader, wait until its word is 0 or holds an epoch
     * >= e. Then completed = e. Correctness is Dekker's pattern: the writer has unpublished the
     * object (U) and passed a barrier before reading the reader's word (R); the reader stored
     * its word (W) and passed a barrier before loading the object (L). Either R sees W (and the
     * writer waits for the section to end), or L follows U (and the reader cannot find the
     * object). A reader whose epoch is >= e read `started` after the writer's store, so its
     * loads happen-after U: it needs no waiting, which keeps back-to-back readers from
     * starving a writer. Readers that register late publish themselves with a volatile array
     * store before their first state store, so the same argument covers them.
     *
     * Asymmetric barrier (Membarrier, as liburcu's urcu-memb). Where Linux membarrier
     * (PRIVATE_EXPEDITED) is available, the writer's "global barrier" is that system call: it
     * returns only after every thread of the process has executed a full hardware barrier (or
     * was off CPU, which implies one). A reader's W then either precedes that barrier (R sees it)
     * or follows it, and then so does its L, which therefore sees U. The reader only has to keep
     * the compiler from moving L above W: VarHandle.acquireFence(), which in HotSpot is a full
     * compiler barrier and emits no instruction on x86. (The JMM itself knows no such pairing;
     * this rests on the JIT honouring fences as compiler barriers, as liburcu rests on
     * cmm_barrier().) Without membarrier, both sides use VarHandle.fullFence().
     *
     * Batching. synchronize() fences, reads s = started, then takes gpLock; if completed > s, a
     * grace period that started after the call began has completed, and the call returns
     * without starting another. Callbacks are batched by one worker thread per flavor
     * (CallbackWorker): each batch waits for one grace period.
     *
     * Waiting. Per reader: spin, then yield, then park with exponential backoff (expedited grace
     * periods spin, then only yield, so they notice the reader leaving at once). After
     * stallTimeout (and every stallTimeout after that) the writer reports the reader's thread,
     * flavor, nesting, wait and stack. A reader whose thread has died inside a section is
     * reported once and treated as having left; records of dead threads are dropped from the
     * registry by the next grace period that sees them, and by registrations whenever the
     * array reaches a power of two (so threads that read once and end do not pile up).
     *
     * Chained callbacks go through the TASKS_TRACE worker, whose callback re-queues them on the
     * NORMAL worker. rcuBarrier() sends a marker the same way: it runs after every callback of
     * either flavor queued before it.
     */

    /** Reader state word access; array element handle so flavors index one array. */
    static final VarHandle STATE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle STARTED;
    private static final VarHandle COMPLETED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STARTED = l.findVarHandle(GraceState.class, "started", long.class);
            COMPLETED = l.findVarHandle(GraceState.class, "completed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final Rcu GLOBAL = new Rcu("global", RcuOptions.defaults(), false);

    private static final int SPINS = 256;
    private static final int YIELDS = 16;
    private static final long MIN_PARK_NANOS = 10_000;
    private static final long MAX_PARK_NANOS = 1_000_000;

    /** Per-flavor grace-period counters. */
    private static final class GraceState {
        /** Grace periods started; readers record it as their epoch. Accessed via STARTED. */
        @SuppressWarnings("unused") private long started;
        /** Grace periods completed. Accessed via COMPLETED. */
        @SuppressWarnings("unused") private long completed;
        final ReentrantLock gpLock = new ReentrantLock();
    }

    private final String name;
    private final RcuOptions options;
    private final boolean closable;
    private final ThreadLocal<Reader> local;
    private final GraceState[] grace = new GraceState[Flavor.values().length];
    private final CallbackWorker[] workers = new CallbackWorker[Flavor.values().length];
    private final Object registryLock = new Object();
    /** Registered readers, copy-on-write under registryLock; volatile so writers see new ones. */
    private volatile Reader[] readers = new Reader[0];
    private volatile boolean closed;

    private Rcu(String name, RcuOptions options, boolean closable) {
        this.name = Objects.requireNonNull(name, "name");
        this.options = Objects.requireNonNull(options, "options");
        this.closable = closable;
        this.local = ThreadLocal.withInitial(this::register);
        for (Flavor f : Flavor.values()) {
            grace[f.ordinal()] = new GraceState();
            workers[f.ordinal()] = new CallbackWorker(this, f);
        }
    }

    /** The process-wide default domain (stall timeout {@link RcuOptions#DEFAULT_STALL_TIMEOUT}). */
    public static Rcu global() {
        return GLOBAL;
    }

    /** A new domain with {@link RcuOptions#defaults()}; {@link #close()} it when done. */
    public static Rcu create(String name) {
        return create(name, RcuOptions.defaults());
    }

    /** A new domain with the given options; {@link #close()} it when done. */
    public static Rcu create(String name, RcuOptions options) {
        return new Rcu(name, options, true);
    }

    /**
     * Whether readers rely on the writers' Linux {@code membarrier} instead of their own fence
     * (decided once per process; {@code -Dio.taskscratch.rcu.membarrier=false} turns it off).
     */
    public static boolean usesMembarrier() {
        return Membarrier.ACTIVE;
    }

    /** The name given at creation ({@code "global"} for {@link #global()}). */
    public String name() {
        return name;
    }

    /** The options given at creation. */
    public RcuOptions options() {
        return options;
    }

    // ---------------------------------------------------------------- readers

    /**
     * Enters a read-side section of flavor {@code f} on the calling thread. Sections nest (up to
     * 2^20 deep); only the outermost one is visible to writers. Does not allocate after the
     * thread's first section in this domain.
     */
    public void readLock(Flavor f) {
        enter(local.get(), f);
    }

    private void enter(Reader r, Flavor f) {
        long[] states = r.states;
        int i = f.ordinal();
        long s = states[i]; // plain: only this thread writes its own word
        if (s == 0) {
            long epoch = (long) STARTED.getAcquire(grace[i]); // acquire: a reader of the newest epoch sees what preceded it
            STATE.setOpaque(states, i, epoch << Reader.NEST_BITS | 1); // opaque: writers read it racily; ordering comes from below
            if (Membarrier.ACTIVE) {
                VarHandle.acquireFence(); // compiler barrier only; the writer's membarrier supplies StoreLoad
            } else {
                VarHandle.fullFence(); // StoreLoad: the word must be visible before the section's first load
            }
        } else if (Reader.nesting(s) == Reader.NEST_MASK) {
            throw new IllegalStateException("readLock(" + f + ") on thread \"" + Thread.currentThread().getName()
                    + "\": read sections nested deeper than " + Reader.NEST_MASK);
        } else {
            STATE.setOpaque(states, i, s + 1); // opaque: only the nesting changes, writers do not care
        }
    }

    /**
     * Leaves the innermost read-side section of flavor {@code f}.
     *
     * @throws IllegalStateException naming the thread and flavor when the thread is not in a
     *                               section of that flavor in this domain
     */
    public void readUnlock(Flavor f) {
        long[] states = local.get().states;
        int i = f.ordinal();
        long s = states[i];
        if (s == 0) {
            throw new IllegalStateException("readUnlock(" + f + ") on thread \"" + Thread.currentThread().getName()
                    + "\" which is not in a " + f + " read section of rcu domain '" + name + "'");
        }
        // release: the section's loads happen-before a writer's acquire read of the new word
        STATE.setRelease(states, i, Reader.nesting(s) == 1 ? 0L : s - 1);
    }

    /**
     * Enters a section like {@link #readLock} and returns its guard for try-with-resources.
     * The guard is preallocated per thread, so this does not allocate either.
     */
    public ReadSection read(Flavor f) {
        Reader r = local.get();
        enter(r, f);
        return r.guards[f.ordinal()];
    }

    /** Whether the calling thread is inside a section of flavor {@code f} of this domain. */
    public boolean inReadSection(Flavor f) {
        return local.get().states[f.ordinal()] != 0;
    }

    private Reader register() {
        Reader r = new Reader(this, Thread.currentThread());
        synchronized (registryLock) {
            Reader[] old = readers;
            if (old.length >= 64 && Integer.bitCount(old.length) == 1) {
                old = live(old); // amortised: records of ended threads go even if no writer ever runs
            }
            Reader[] now = Arrays.copyOf(old, old.length + 1);
            now[old.length] = r;
            readers = now; // volatile: a writer that misses it is ordered before our first section (see overview)
        }
        return r;
    }

    /** Number of reader records currently registered (threads that have read and not yet been found dead). */
    public int registeredReaders() {
        return readers.length;
    }

    /** Whether {@code t} has a reader record in the registry. */
    boolean isRegistered(Thread t) {
        for (Reader r : readers) {
            if (r.thread == t) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- writers

    /**
     * Waits until every section of flavor {@code f} that began before this call has ended.
     * Concurrent calls share grace periods. Not interruptible (the interrupt status is kept).
     *
     * @throws IllegalStateException when the caller is itself in a section of {@code f}
     *                               (it would wait for itself)
     */
    public void synchronize(Flavor f) {
        synchronize(f, false);
    }

    /**
     * Like {@link #synchronize(Flavor)}, but waits for readers by spinning and yielding only,
     * never parking with backoff: the call returns within microseconds of the last pre-existing
     * section ending, at the price of a busy CPU while it waits (the kernel's
     * {@code synchronize_rcu_expedited}).
     *
     * @throws IllegalStateException when the caller is itself in a section of {@code f}
     */
    public void synchronizeExpedited(Flavor f) {
        synchronize(f, true);
    }

    private void synchronize(Flavor f, boolean expedited) {
        if (inReadSection(f)) {
            throw new IllegalStateException("synchronize(" + f + ") on thread \"" + Thread.currentThread().getName()
                    + "\" inside its own " + f + " read section of rcu domain '" + name + "' would wait forever");
        }
        GraceState g = grace[f.ordinal()];
        VarHandle.fullFence(); // order the caller's unpublishing before the grace period it may share
        long seen = (long) STARTED.getVolatile(g);
        g.gpLock.lock();
        try {
            if ((long) COMPLETED.getAcquire(g) > seen) {
                return; // a grace period that started after our entry has completed
            }
            runGracePeriod(g, f, expedited);
        } finally {
            g.gpLock.unlock();
        }
    }

    /** Number of grace periods of flavor {@code f} started in this domain so far. */
    long startedGracePeriods(Flavor f) {
        return (long) STARTED.getVolatile(grace[f.ordinal()]);
    }

    /** Number of grace periods of flavor {@code f} completed in this domain so far. */
    public long completedGracePeriods(Flavor f) {
        return (long) COMPLETED.getAcquire(grace[f.ordinal()]);
    }

    private void runGracePeriod(GraceState g, Flavor f, boolean expedited) {
        int i = f.ordinal();
        long e = (long) STARTED.get(g) + 1; // plain: only gpLock holders write it
        STARTED.setVolatile(g, e);
        Membarrier.global(); // StoreLoad on every thread: pairs with the readers' side (Dekker)
        boolean interrupted = false;
        boolean sawDead = false;
        for (Reader r : readers) {
            long s = (long) STATE.getAcquire(r.states, i); // acquire: pairs with readUnlock's release
            if (blocks(s, e)) {
                int w = awaitReader(r, f, e, expedited);
                interrupted |= (w & INTERRUPTED) != 0;
                sawDead |= (w & DEAD) != 0;
            }
            sawDead |= !r.thread.isAlive();
        }
        COMPLETED.setRelease(g, e); // release: callers that see it see the readers' completed sections
        if (sawDead) {
            pruneDeadReaders();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean blocks(long state, long epoch) {
        return state != 0 && Reader.epoch(state) < epoch;
    }

    private static final int INTERRUPTED = 1;
    private static final int DEAD = 2;

    /** Waits for one reader to leave its pre-existing section; returns INTERRUPTED/DEAD bits. */
    private int awaitReader(Reader r, Flavor f, long e, boolean expedited) {
        int i = f.ordinal();
        int result = 0;
        long start = 0;
        long nextReport = 0;
        long park = MIN_PARK_NANOS;
        long stallNanos = options.stallTimeout().toNanos();
        for (int round = 0; ; round++) {
            long s = (long) STATE.getAcquire(r.states, i);
            if (!blocks(s, e)) {
                return result;
            }
            if ((f == Flavor.NORMAL || expedited) && round < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            if (start == 0) {
                start = System.nanoTime();
                nextReport = start + stallNanos;
            }
            if (!r.thread.isAlive()) {
                report(r, f, s, System.nanoTime() - start, true);
                return result | DEAD;
            }
            long now = System.nanoTime();
            if (now - nextReport >= 0) {
                report(r, f, s, now - start, false);
                nextReport = now + stallNanos;
            }
            if (expedited || (f == Flavor.NORMAL && round < SPINS + YIELDS)) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(this, Math.min(park, Math.max(1, nextReport - now)));
                park = Math.min(park * 2, MAX_PARK_NANOS);
                if (Thread.interrupted()) {
                    result |= INTERRUPTED;
                }
            }
        }
    }

    private void report(Reader r, Flavor f, long state, long waitedNanos, boolean exited) {
        List<StackTraceElement> stack = exited ? List.of() : List.of(r.thread.getStackTrace());
        StallReport rep = new StallReport(name, r.thread, f, Reader.nesting(state), Duration.ofNanos(waitedNanos),
                exited, stack);
        try {
            options.stallListener().accept(rep);
        } catch (RuntimeException ex) {
            options.callbackErrors().accept(ex);
        }
    }

    private void pruneDeadReaders() {
        synchronized (registryLock) {
            readers = live(readers);
        }
    }

    private static Reader[] live(Reader[] records) {
        return Arrays.stream(records).filter(r -> r.thread.isAlive()).toArray(Reader[]::new);
    }

    // ---------------------------------------------------------------- callbacks

    /**
     * Runs {@code cb} on this domain's callback thread for {@code f} after a grace period of
     * {@code f} that began after this call. Callbacks of one flavor run one at a time in
     * queue order; an exception goes to {@link RcuOptions#callbackErrors()}.
     *
     * @throws IllegalStateException when the domain is closed
     */
    public void callRcu(Flavor f, Runnable cb) {
        Objects.requireNonNull(cb, "cb");
        workers[f.ordinal()].enqueue(cb);
    }

    /**
     * Runs {@code cb} after a {@link Flavor#TASKS_TRACE} grace period followed by a
     * {@link Flavor#NORMAL} one: for objects that readers of both flavors may hold.
     *
     * @throws IllegalStateException when the domain is closed
     */
    public void callRcuChained(Runnable cb) {
        Objects.requireNonNull(cb, "cb");
        workers[Flavor.TASKS_TRACE.ordinal()].enqueue(() -> callRcu(Flavor.NORMAL, cb));
    }

    /**
     * Waits until every callback queued (by {@link #callRcu} or {@link #callRcuChained}) before
     * this call has run.
     *
     * @throws IllegalStateException when called from one of this domain's callbacks (it would
     *                               wait for itself)
     */
    public void rcuBarrier() {
        for (CallbackWorker w : workers) {
            if (w.isWorkerThread()) {
                throw new IllegalStateException("rcuBarrier() called from a callback of rcu domain '" + name
                        + "' would wait for itself");
            }
        }
        CountDownLatch done = new CountDownLatch(1);
        CallbackWorker normal = workers[Flavor.NORMAL.ordinal()];
        CallbackWorker.Marker arrive = done::countDown;
        CallbackWorker.Marker forward = () -> normal.enqueue(arrive);
        workers[Flavor.TASKS_TRACE.ordinal()].enqueue(forward);
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs every queued callback ({@link #rcuBarrier()}) and stops the callback threads; later
     * {@link #callRcu} calls throw. Read sections and {@link #synchronize} keep working.
     *
     * @throws IllegalStateException for {@link #global()}, which lives as long as the process
     */
    @Override
    public void close() {
        if (!closable) {
            throw new IllegalStateException("the global rcu domain cannot be closed");
        }
        if (closed) {
            return;
        }
        rcuBarrier();
        closed = true;
        for (CallbackWorker w : workers) {
            w.stop();
        }
    }

    @Override
    public String toString() {
        return "Rcu[" + name + "]";
    }
}
