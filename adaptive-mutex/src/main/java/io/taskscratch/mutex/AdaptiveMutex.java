package io.taskscratch.mutex;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.mutex.internal.WaitQueue;
import io.taskscratch.mutex.internal.Waiter;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.region.ScratchRegion;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;

/**
 * A scheduler-aware adaptive mutex: waiters spin while the lock owner is running and park as
 * soon as it is not. A complete, <b>non-reentrant</b> {@link Lock} with {@link Condition}s,
 * modelled on the Linux kernel mutex ({@code kernel/locking/mutex.c}). All scheduling goes
 * through a {@link Platform}, so the same code runs on real threads and in the scheduler model.
 * Accesses to the lock word and the spinner slot are declared with {@link Platform#lineAccess}
 * (a no-op natively), so the model charges this mutex the same cache-line transfers it charges
 * the baseline locks.
 *
 * <h2>Usage</h2>
 * <pre>{@code
 * AdaptiveMutex m = AdaptiveMutex.create(NativePlatform.instance(), OwnerStateSource.none());
 * m.lock();
 * try { ... } finally { m.unlock(); }
 * }</pre>
 *
 * <h2>Reentrancy</h2>
 * Not reentrant, like the kernel mutex. An acquire by the current owner never waits: {@link #lock},
 * {@link #lockInterruptibly}, {@link #tryLock()} and {@link #tryLock(long, TimeUnit)} throw
 * {@link ScratchException} with {@link Errno#EDEADLK} at once, and {@link #acquire()} returns
 * {@link AcquireResult#DEADLOCK}.
 *
 * <h2>Resilient mode</h2>
 * Built with {@link Builder#resilient}, the mutex follows rqspinlock (Linux 6.15): each task
 * keeps a {@link HeldLocks} table of lock {@linkplain #id() ids} (in its scratch region where it
 * has one, {@link RegionHeldLocks}; else on the heap); an acquisition fails with DEADLOCK for AA
 * (exactly, from the owner field, at any nesting depth) or ABBA (the owner's table says it is waiting for a lock the
 * caller holds), and with TIMEOUT after a bounded wait (default 250 ms, the kernel's). Failure
 * rolls everything back. {@link #acquire()} reports the result; the {@code Lock} methods throw
 * {@link ScratchException} with {@link Errno#EDEADLK} or {@link Errno#ETIMEDOUT} ({@code tryLock}
 * with a timeout returns false when either bound passes).
 *
 * <h2>Thread safety and introspection</h2>
 * Every method may be called from any task at any time. As in {@code ReentrantLock}, the
 * inspection methods ({@link #isLocked}, {@link #owner}, {@link #getOwner}, {@link #hasQueuedThreads},
 * {@link #hasQueuedThread}, {@link #getQueueLength}, and for conditions {@link #hasWaiters},
 * {@link #getWaitQueueLength}, {@link #getWaitingThreads}) return snapshots that may be stale by the
 * time the caller looks at them: they are meant for monitoring and tests, not for synchronisation.
 * A task "waits to acquire" when it is queued or spinning on the owner. The condition methods
 * require the caller to own the mutex, as {@code ReentrantLock}'s do.
 *
 * <h2>Implementation overview</h2>
 * <p><b>State word</b> ({@code state}, an int): bit 0 {@code LOCKED}, bit 1 {@code WAITERS} (the
 * wait queue is non-empty), bit 2 {@code HANDOFF} (a starving waiter asked that the next unlock
 * give it the lock), bit 3 {@code RESILIENT} (constant: set for the whole life of a resilient
 * mutex). {@code owner} (the owning {@link PlatformTask}) is a separate field written
 * right after the state CAS and cleared right before the release, so it may briefly read null
 * while LOCKED; spinners treat that as UNKNOWN. Invariants: {@code WAITERS} iff the queue is
 * non-empty (both changed only under the queue guard); {@code HANDOFF} only while {@code LOCKED}
 * (set by CAS from a LOCKED state, cleared by the release or when the queue empties).
 *
 * <p><b>Fast paths</b>: lock is one CAS {@code 0 -> LOCKED} (and, if it finds only WAITERS set, a
 * second CAS adding LOCKED: barging, as on the slow path); unlock is one CAS
 * {@code LOCKED -> 0}, which fails when {@code WAITERS}/{@code HANDOFF} is set and sends the
 * unlocker to the slow path. Both fail for a resilient mutex ({@code RESILIENT} is never clear),
 * whose slow paths keep the held-locks table, so the fast paths themselves test no mode: they
 * record the owner and count the acquisition (a plain increment by the owner) and nothing else.
 * Unlock stays a CAS rather than {@code ReentrantLock}'s volatile store plus a read of the queue
 * head: the waiter bits share the word, and on x86 HotSpot follows a volatile store with a
 * {@code lock addl} fence, which costs as much as the {@code lock cmpxchg}, so there is nothing
 * to gain.
 *
 * <p><b>Spinner</b> (the kernel's {@code mutex_optimistic_spin} / OSQ): only the task that wins
 * the {@code spinner} slot spins; everyone else queues and parks. The slot lives in its own padded
 * object ({@link SpinnerSlot}), so claiming and clearing it never writes the lock word's cache
 * line while the owner uses it. The spinner enters the source's read-side section once per spin
 * episode and then polls: the lock word, the owner and the owner's state. The state costs one
 * load when the source has regions ({@link OwnerStateSource#regionOf}): {@code ownerRegion.onCpu()},
 * where {@code ownerRegion} is the region an owner publishes beside {@code owner} when it acquires
 * on a slow path (cleared, like {@code owner}, before the release frees the word), or, for an
 * owner that took the fast path, the region the spinner looked up once for that owner. It keeps
 * spinning only while (a) the owner's state is not NOT_RUNNING, read twice (with {@link SpinTuning#recheckNotRunning()}, once more
 * after a pause, since a switch-out may be on its way back in); (b) the source does not ask the spinner
 * to yield (the user-space {@code need_resched()}); (c) the time spent is below the budget for
 * the current answer ({@link SpinTuning}, on the native platform derived from the calibrated
 * wake-up cost w: RUNNING 2w, UNKNOWN w); (d) the caller's deadline has not passed; and (e) no
 * hand-off is pending (unless the spinner is the first queued waiter, which is who the hand-off
 * is for). The clock and the yield advice are read every {@link SpinTuning#clockEveryPolls()} pauses
 * (8 on the native platform). <b>Barging owner</b>: when the same owner's acquisition count moved
 * between two reads of the word that both found it LOCKED, the owner releases and re-takes faster
 * than the spinner polls; each read then only pulls the word's cache line away from it (the owner's
 * next CAS waits for the line) and wins the lock by luck. So the gap between reads doubles, up to
 * {@link SpinTuning#maxPollGap()} pauses (32 on the native platform), and halves when a read finds the
 * count unchanged; the next spin episode starts from the gap the last one ended with (two threads
 * that take turns barging each start a fresh episode at every turn). During a gap the spinner still
 * reads the owner's region (another line) every pause. The owner then runs its lock/unlock on a
 * line it keeps, as a {@code ReentrantLock} owner does while its waiter is parked. A spinner that
 * wins frees the slot before its bookkeeping, so the owner it just beat finds the slot free and
 * spins instead of queueing. When the owner changes, the spinner
 * simply tries the new state and goes on spinning on the new owner, as the kernel does.
 *
 * <p><b>Owner-region lifetime</b>: a spinner reads a region only inside its read-side section,
 * and an owner's region is unpublished (the {@code ownerRegion} store of null in the release,
 * ordered before the CAS that frees the word) before its task can exit or unregister, after
 * which the region is freed only after a grace period. So a spinner that finds a region either
 * loaded it before the unpublish, inside a section that the grace period waits for, or does not
 * find it: it never reads a freed region (stress test {@code OwnerRegionLifetimeTest}).
 *
 * <p><b>Queue</b>: a FIFO ({@link WaitQueue}) under a tiny guard lock, the kernel's
 * {@code wait_lock}. A waiter enqueues, sets WAITERS, then loops: granted? try the lock; if first
 * in line, spin (if it can take the spinner slot); then park. Unlock's slow path wakes the first
 * waiter. Barging is allowed (throughput), so a woken waiter may lose: each loss while first in
 * line counts, and after {@code handoffAfterFailures} losses or {@code handoffAfterNanos} first
 * in line it sets HANDOFF. An unlock that sees HANDOFF keeps LOCKED set, makes the first waiter
 * the owner, marks its node GRANTED (a volatile store that publishes the new owner fields) and
 * unparks it: no one can barge in between, so no waiter starves.
 *
 * <p><b>No lost wake-ups</b>: a waiter parks only after it is queued with WAITERS set (under the
 * guard), has armed its node (volatile store) and has then seen LOCKED (volatile load). Every
 * release after WAITERS is set fails the fast-path CAS, clears LOCKED by CAS and then reads the
 * first node's armed flag: by the store-then-load order on both sides, either the waiter sees
 * the free word and does not park, or the releaser sees the flag and unparks it (an unpark before
 * a park just leaves a permit). Only armed waiters are unparked, once per arming (AQS's WAITING
 * status), so a spinning first waiter costs the releaser nothing. A release before WAITERS was
 * set is seen by the waiter's own re-check. A first waiter that gives up (timeout, interrupt,
 * deadlock) removes itself before reading the word, and wakes the new first waiter if the lock
 * is free; a releaser that read the queue after that removal finds the new first waiter itself.
 * A hand-off and a cancellation of the same node are serialised by the guard, so a node is
 * either GRANTED (and its task owns the lock) or CANCELLED, never both.
 *
 * <p><b>Conditions</b>: each {@link #newCondition()} has its own FIFO; {@code signal} marks the
 * first still-waiting node (CAS against the waiter cancelling itself on timeout/interrupt) and
 * unparks it; the woken task re-acquires the mutex like any other waiter.
 *
 * <p><b>Ownership</b>: {@code owner} is the task (for spinners and the AA check). On the native
 * platform a task is an immutable {@link NativePlatform.ThreadTask}, so {@code unlock}'s ownership
 * check compares the owner's thread with {@link Thread#currentThread()} (no look-up, no write), and
 * the task a fast-path acquire records comes from a one-entry cache checked against the current
 * thread ({@code callerTask}): an uncontended lock/unlock makes no thread-local lookup. Only an
 * owner writes the cache, right after its CAS, while the word's cache line is its own; a waiter
 * entering a slow path looks itself up without writing it ({@code lookupTask}), so it never
 * pulls the line away from the owner in its critical section.
 *
 * <p><b>Interrupts during {@link #lock()}</b>: the interrupt status is cleared while waiting (a
 * set status would make every park return at once) and re-asserted afterwards with
 * {@link Platform#interrupt}, so the same code is right on real threads and in the model.
 */
public final class AdaptiveMutex implements Lock {
    /** Default resilient-mode time bound: 0.25 s, the kernel's {@code RES_DEF_TIMEOUT}. */
    public static final long DEFAULT_RESILIENT_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** ABBA checks while waiting in resilient mode run at most this often (the kernel: every 1 ms). */
    static final long DEADLOCK_CHECK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    static final int LOCKED = 1;
    static final int WAITERS = 2;
    static final int HANDOFF = 4;
    /**
     * Set for the whole life of a resilient mutex: the fast-path CASes (from exactly 0, and
     * exactly {@code LOCKED} to 0) then fail, so every resilient acquire and release takes a
     * slow path, which keeps the held-locks table, and the non-resilient fast paths test no mode.
     */
    static final int RESILIENT = 8;

    private static final int ACQUIRED = 0;
    private static final int TIMED_OUT = 1;
    private static final int INTERRUPTED = 2;
    private static final int DEADLOCKED = 3;

    /** Acquire flags. */
    private static final int INTERRUPTIBLE = 1;
    private static final int TIMED = 2;
    private static final int DETECT_DEADLOCK = 4;
    /** No resilient-mode bound or checks (re-acquire after a condition wait). */
    private static final int UNBOUNDED = 8;

    /** Source of {@link #id()}s: never 0 ({@link HeldLocks#EMPTY}), never reused (2^63 locks). */
    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    /** Longest timeout honoured; avoids overflow in {@code now + nanos}. */
    private static final long MAX_TIMEOUT_NANOS = Long.MAX_VALUE / 4;

    private static final VarHandle STATE;
    private static final VarHandle OWNER;
    private static final VarHandle OWNER_REGION;
    private static final VarHandle OWNER_HELD;
    private static final VarHandle ACQUISITIONS;
    private static final VarHandle SPIN_WINS;
    private static final VarHandle SPIN_WIN_NANOS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(AdaptiveMutex.class, "state", int.class);
            OWNER = l.findVarHandle(AdaptiveMutex.class, "owner", PlatformTask.class);
            OWNER_REGION = l.findVarHandle(AdaptiveMutex.class, "ownerRegion", ScratchRegion.class);
            OWNER_HELD = l.findVarHandle(AdaptiveMutex.class, "ownerHeld", HeldLocks.class);
            ACQUISITIONS = l.findVarHandle(AdaptiveMutex.class, "acquisitions", long.class);
            SPIN_WINS = l.findVarHandle(AdaptiveMutex.class, "spinWins", long.class);
            SPIN_WIN_NANOS = l.findVarHandle(AdaptiveMutex.class, "spinWinNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Platform platform;
    private final OwnerStateSource source;
    private final SpinTuning tuning;
    /** Non-null in resilient mode only. */
    private final HeldLocks.Provider heldLocks;
    private final long resilientTimeoutNanos;
    /** Tasks are {@link NativePlatform.ThreadTask}s: identity checks compare their threads. */
    private final boolean threadPerTask;
    private final WaitQueue queue = new WaitQueue();
    /** What held-locks tables record for this lock (rqspinlock records its address). */
    private final long id = NEXT_ID.getAndIncrement();

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    /** Opaque: the owner reads its own writes; others only need eventual visibility (spinners). */
    @SuppressWarnings("unused") // accessed through OWNER
    private PlatformTask owner;
    /**
     * The owner's region ({@link OwnerStateSource#regionOf}) when it acquired on a slow path, else
     * null; cleared before the release. Opaque, like {@code owner}: a stale region only costs a
     * spinner a wrong hint, and the lifetime rule (class comment) keeps it valid.
     */
    @SuppressWarnings("unused") // accessed through OWNER_REGION
    private ScratchRegion ownerRegion;
    /**
     * With {@link #threadPerTask}: the task of the last owner that looked itself up here on a fast
     * path (see {@link #callerTask()}); null otherwise. Plain and racy on purpose: the field only ever holds
     * the unique task NativePlatform made for some thread (a reference write is atomic, JLS
     * 17.7, and the record's final {@code thread} is seen initialised, JLS 17.5), and every read
     * is validated against {@link Thread#currentThread()}, so a race can cost a miss, never a
     * wrong answer. Typed as the record so the check needs no type test.
     */
    private NativePlatform.ThreadTask cachedTask;
    /** The owner's held-locks table (resilient mode), read by other tasks' ABBA checks. */
    @SuppressWarnings("unused") // accessed through OWNER_HELD
    private volatile HeldLocks ownerHeld;
    /** Written only by the owner, so increments are serialised by the lock itself; opaque for readers. */
    @SuppressWarnings("unused") // accessed through ACQUISITIONS
    private long acquisitions;
    /**
     * Spin episodes that ended with the lock, and their time: written by that new owner only (the
     * lock serialises them, as {@link #acquisitions}), opaque for readers. Episodes that end without
     * the lock are counted in the {@link SpinnerSlot}.
     */
    @SuppressWarnings("unused") // accessed through SPIN_WINS
    private long spinWins;
    @SuppressWarnings("unused") // accessed through SPIN_WIN_NANOS
    private long spinWinNanos;

    private final LongAdder parks = new LongAdder();
    private final LongAdder handoffs = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder deadlocks = new LongAdder();
    /** Allocated last, away from the fields above; padded inside too. */
    private final SpinnerSlot slot = new SpinnerSlot();

    private AdaptiveMutex(Builder b) {
        this.platform = b.platform;
        this.source = b.source;
        this.tuning = b.tuning;
        this.heldLocks = b.heldLocks;
        this.resilientTimeoutNanos = b.resilientTimeoutNanos;
        this.threadPerTask = b.platform instanceof NativePlatform;
        this.state = b.heldLocks != null ? RESILIENT : 0;
    }

    /**
     * A non-resilient mutex with default tuning.
     *
     * @param platform where to park, spin and read time
     * @param source   where to learn whether the owner runs; {@link OwnerStateSource#none()} for nothing
     * @return a new unlocked mutex
     */
    public static AdaptiveMutex create(Platform platform, OwnerStateSource source) {
        return builder(platform).stateSource(source).build();
    }

    /**
     * Starts building a mutex.
     *
     * @param platform where to park, spin and read time
     * @return a builder with no state source ({@link OwnerStateSource#none()}), the platform's default tuning, not resilient
     */
    public static Builder builder(Platform platform) {
        return new Builder(platform);
    }

    // ---------------------------------------------------------------- Lock

    /**
     * Acquires the mutex, waiting as long as it takes (in resilient mode: at most the time bound).
     *
     * @throws ScratchException {@link Errno#EDEADLK} if the caller already owns it (any mode) or an
     *                          ABBA deadlock was detected (resilient); {@link Errno#ETIMEDOUT} when the
     *                          resilient time bound passed. Nothing changed in either case.
     */
    @Override
    public void lock() {
        if (fastLock()) {
            return;
        }
        PlatformTask me = lookupTask();
        int r = acquire(me, 0, 0L);
        if (r != ACQUIRED) {
            throw failure(r, me);
        }
    }

    /**
     * Like {@link #lock()} but gives up when interrupted.
     *
     * @throws InterruptedException if interrupted on entry or while waiting (status cleared)
     * @throws ScratchException     as {@link #lock()}
     */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (platform.interrupted()) {
            throw new InterruptedException();
        }
        if (fastLock()) {
            return;
        }
        PlatformTask me = lookupTask();
        int r = acquire(me, INTERRUPTIBLE, 0L);
        if (r == INTERRUPTED) {
            throw new InterruptedException();
        }
        if (r != ACQUIRED) {
            throw failure(r, me);
        }
    }

    /**
     * Acquires the mutex if it is free now (barging past queued waiters, as {@code ReentrantLock}).
     *
     * @return true if acquired
     * @throws ScratchException {@link Errno#EDEADLK} if the caller already owns it
     */
    @Override
    public boolean tryLock() {
        if (tryLockBits()) {
            onAcquire(callerTask(), null, null); // may be resilient: tryLockBits ignores RESILIENT
            return true;
        }
        if (ownedByCaller()) {
            deadlocks.increment();
            throw failure(DEADLOCKED, lookupTask());
        }
        return false;
    }

    /**
     * Acquires the mutex if it becomes free within the timeout. In resilient mode the wait is
     * also bounded by the resilient time bound, and returns false when that passes first.
     *
     * @return true if acquired, false if the time passed first
     * @throws InterruptedException if interrupted on entry or while waiting (status cleared)
     * @throws ScratchException     {@link Errno#EDEADLK} for AA (any mode) or ABBA (resilient)
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(time);
        if (platform.interrupted()) {
            throw new InterruptedException();
        }
        if (tryLockBits()) {
            onAcquire(callerTask(), null, null); // may be resilient: tryLockBits ignores RESILIENT
            return true;
        }
        PlatformTask me = lookupTask();
        int r = acquire(me, INTERRUPTIBLE | TIMED, deadlineAfter(nanos));
        switch (r) {
            case ACQUIRED:
                return true;
            case TIMED_OUT:
                return false;
            case INTERRUPTED:
                throw new InterruptedException();
            default:
                throw failure(r, me);
        }
    }

    /**
     * Releases the mutex.
     *
     * @throws IllegalMonitorStateException if the caller does not own it
     */
    @Override
    public void unlock() {
        if (!ownedByCaller()) {
            throw new IllegalMonitorStateException(lookupTask().name() + " does not own " + this);
        }
        release();
    }

    /**
     * A new condition bound to this mutex, with the full {@link Condition} contract.
     * {@code await} releases the mutex and re-acquires it before returning, without a time bound
     * even in resilient mode (the caller must own the mutex when {@code await} returns).
     *
     * @return a new condition
     */
    @Override
    public Condition newCondition() {
        return new MutexCondition();
    }

    // ---------------------------------------------------------------- rqspinlock-style API

    /**
     * Acquires the mutex and reports the outcome instead of throwing: the analogue of
     * {@code res_spin_lock}. Without resilient mode only {@link AcquireResult#OK} and (for a
     * re-lock by the owner) {@link AcquireResult#DEADLOCK} can come back.
     *
     * @return OK, DEADLOCK or TIMEOUT; after DEADLOCK/TIMEOUT nothing changed
     */
    public AcquireResult acquire() {
        if (fastLock()) {
            return AcquireResult.OK;
        }
        PlatformTask me = lookupTask();
        int r = acquire(me, 0, 0L);
        return r == ACQUIRED ? AcquireResult.OK : r == DEADLOCKED ? AcquireResult.DEADLOCK : AcquireResult.TIMEOUT;
    }

    // ---------------------------------------------------------------- inspection

    /**
     * This lock's process-unique, non-zero id: what {@link HeldLocks} tables record for it (they
     * may live off-heap, where no reference can be stored). Ids are never reused, so a stale
     * table entry can never name another lock.
     *
     * @return the id
     */
    public long id() {
        return id;
    }

    /** Whether resilient mode (held-locks table, deadlock detection, time bound) is on. */
    public boolean isResilient() {
        return heldLocks != null;
    }

    /** Whether some task owns the mutex (a snapshot). */
    public boolean isLocked() {
        return (state & LOCKED) != 0;
    }

    /** Whether the calling task owns the mutex. */
    public boolean isHeldByCurrentTask() {
        return ownedByCaller();
    }

    /** The owner, or null if free (a snapshot; may briefly be null right after a fast-path acquire). */
    public PlatformTask owner() {
        return (PlatformTask) OWNER.getOpaque(this);
    }

    /**
     * The owning thread, as {@code ReentrantLock.getOwner()}: on the native platform the owner task's
     * thread; null if the mutex is free or its owner is not a native-platform thread (a task of the
     * scheduler model; use {@link #owner()} there). A snapshot, like {@link #owner()}.
     *
     * @return the owning thread, or null
     */
    public Thread getOwner() {
        return owner() instanceof NativePlatform.ThreadTask t ? t.thread() : null;
    }

    /** Whether tasks are queued (a snapshot); a spinner that has not queued is not counted. */
    public boolean hasQueuedWaiters() {
        return (state & WAITERS) != 0;
    }

    /**
     * Whether any task is waiting to acquire this mutex: queued, or spinning on the owner (a
     * snapshot, as {@link java.util.concurrent.locks.ReentrantLock#hasQueuedThreads()}).
     *
     * @return true if some task waits
     */
    public boolean hasQueuedThreads() {
        return slot.spinner != null || queue.first() != null;
    }

    /**
     * Whether {@code thread} waits to acquire this mutex (queued or spinning; a snapshot).
     *
     * @param thread a thread
     * @return true if it waits
     * @throws NullPointerException if {@code thread} is null
     */
    public boolean hasQueuedThread(Thread thread) {
        Objects.requireNonNull(thread, "thread");
        if (isThread(slot.spinner, thread)) {
            return true;
        }
        boolean[] found = new boolean[1];
        queue.lock(platform);
        try {
            queue.forEach(w -> found[0] |= w.status() == Waiter.WAITING && isThread(w.task, thread));
        } finally {
            queue.unlock();
        }
        return found[0];
    }

    /**
     * An estimate of the number of tasks waiting to acquire this mutex: queued waiters not yet
     * granted, plus a spinner that is not also queued (a snapshot).
     *
     * @return the number of waiting tasks
     */
    public int getQueueLength() {
        PlatformTask spinning = slot.spinner;
        int[] n = new int[2];
        queue.lock(platform);
        try {
            queue.forEach(w -> {
                if (w.status() == Waiter.WAITING) {
                    n[0]++;
                    if (w.task == spinning) {
                        n[1] = 1; // the spinner spins as the first queued waiter: counted once
                    }
                }
            });
        } finally {
            queue.unlock();
        }
        return n[0] + (spinning != null && n[1] == 0 ? 1 : 0);
    }

    /**
     * Whether any task waits on {@code condition} (a snapshot), as {@code ReentrantLock.hasWaiters}.
     *
     * @param condition a condition of this mutex
     * @return true if some task waits on it
     * @throws IllegalMonitorStateException if the caller does not own this mutex
     * @throws IllegalArgumentException     if {@code condition} is not one of this mutex's
     */
    public boolean hasWaiters(Condition condition) {
        return getWaitQueueLength(condition) > 0;
    }

    /**
     * An estimate of the number of tasks waiting on {@code condition} (a snapshot), as
     * {@code ReentrantLock.getWaitQueueLength}.
     *
     * @param condition a condition of this mutex
     * @return the number of waiting tasks
     * @throws IllegalMonitorStateException if the caller does not own this mutex
     * @throws IllegalArgumentException     if {@code condition} is not one of this mutex's
     */
    public int getWaitQueueLength(Condition condition) {
        int[] n = new int[1];
        ownCondition(condition).forEachWaiting(w -> n[0]++);
        return n[0];
    }

    /**
     * The threads waiting on {@code condition} (a snapshot), as {@code ReentrantLock.getWaitingThreads};
     * waiting tasks that are not native-platform threads are left out.
     *
     * @param condition a condition of this mutex
     * @return the waiting threads, in queue order
     * @throws IllegalMonitorStateException if the caller does not own this mutex
     * @throws IllegalArgumentException     if {@code condition} is not one of this mutex's
     */
    public Collection<Thread> getWaitingThreads(Condition condition) {
        List<Thread> threads = new ArrayList<>();
        ownCondition(condition).forEachWaiting(w -> {
            if (w.task instanceof NativePlatform.ThreadTask t) {
                threads.add(t.thread());
            }
        });
        return threads;
    }

    private MutexCondition ownCondition(Condition condition) {
        Objects.requireNonNull(condition, "condition");
        if (!(condition instanceof MutexCondition c) || c.mutex() != this) {
            throw new IllegalArgumentException(condition + " is not a condition of " + this);
        }
        checkOwner();
        return c;
    }

    private static boolean isThread(PlatformTask task, Thread thread) {
        return task instanceof NativePlatform.ThreadTask t && t.thread() == thread;
    }

    /**
     * The owner's scheduling state as a spinner polls it: {@code on_cpu} of the region the owner
     * published beside the owner field (one load), else the source's answer for the owner (looked up
     * inside a read-side section); UNKNOWN when the mutex is free. A snapshot, for monitoring and
     * for measuring the poll ({@code MutexBench.spinPoll_*}).
     *
     * @return RUNNING, NOT_RUNNING or UNKNOWN
     */
    public OwnerState ownerState() {
        ScratchRegion r = (ScratchRegion) OWNER_REGION.getOpaque(this);
        if (r != null) {
            return onCpu(r);
        }
        PlatformTask o = (PlatformTask) OWNER.getOpaque(this);
        if (o == null) {
            return OwnerState.UNKNOWN;
        }
        long token = source.enterRead();
        try {
            ScratchRegion looked = source.regionOf(o);
            return looked != null ? onCpu(looked) : source.ownerState(o);
        } finally {
            source.exitRead(token);
        }
    }

    /** The scheduler-state source this mutex consults. */
    public OwnerStateSource stateSource() {
        return source;
    }

    /** The task in the spinner slot, or null; for tests of the spin rules. */
    PlatformTask spinner() {
        return slot.spinner;
    }

    /** The tuning in use. */
    public SpinTuning tuning() {
        return tuning;
    }

    /** Sets the gap the next spin episode starts from; for tests of the gap rules. */
    void seedPollGap(int gap) {
        slot.gap = gap;
    }

    /** The task in the one-entry caller cache, or null; for tests of who writes it. */
    PlatformTask cachedTask() {
        return cachedTask;
    }

    /** The region published beside the owner, or null; for tests of the one-load path. */
    ScratchRegion ownerRegion() {
        return (ScratchRegion) OWNER_REGION.getOpaque(this);
    }

    /** The state word without the constant RESILIENT bit, for tests of the invariants. */
    int stateBits() {
        return state & ~RESILIENT;
    }

    /** A snapshot of this mutex's counters. */
    public LockMetrics metrics() {
        return new LockMetrics(describe(), source.name(), (long) ACQUISITIONS.getOpaque(this),
                slot.spins() + (long) SPIN_WINS.getOpaque(this), slot.spinNanos() + (long) SPIN_WIN_NANOS.getOpaque(this),
                parks.sum(), handoffs.sum(), timeouts.sum(), deadlocks.sum());
    }

    /** The kind of mutex and its configuration, without the changing state. */
    private String describe() {
        StringBuilder sb = new StringBuilder("AdaptiveMutex[source=").append(source.name());
        if (!source.informative()) {
            sb.append(" (no scheduler state: time-bounded spin-then-park, ")
                    .append(tuning.unknownSpinNanos()).append(" ns)");
        }
        if (heldLocks != null) {
            sb.append(", resilient ").append(resilientTimeoutNanos).append(" ns");
        }
        return sb.append(']').toString();
    }

    @Override
    public String toString() {
        PlatformTask o = owner();
        int s = state;
        return describe() + ((s & LOCKED) == 0 ? "{unlocked" : "{locked by " + (o == null ? "?" : o.name()))
                + ((s & WAITERS) != 0 ? ", waiters" : "") + ((s & HANDOFF) != 0 ? ", handoff" : "") + '}';
    }

    // ---------------------------------------------------------------- acquire

    /** Sets {@code LOCKED} if clear, keeping the other bits. */
    private boolean tryLockBits() {
        platform.lineAccess(this, true);
        int s = state;
        while ((s & LOCKED) == 0) {
            int w = (int) STATE.compareAndExchange(this, s, s | LOCKED);
            if (w == s) {
                return true;
            }
            s = w;
        }
        return false;
    }

    /**
     * The fast path of lock: one CAS {@code 0 -> LOCKED}; if the word was free but had WAITERS set,
     * a second CAS from the witness (barging past the queue, as the slow path's {@link #tryLockBits}
     * would, without its look-ups), so queued waiters do not send every acquisition of a running owner
     * to the slow path ({@code ReentrantLock}'s fast path ignores its queue too). Never for a resilient
     * mutex (its tables live on the slow path) or while LOCKED (HANDOFF is only ever set with it).
     */
    private boolean fastLock() {
        platform.lineAccess(this, true);
        int w = (int) STATE.compareAndExchange(this, 0, LOCKED);
        if (w == 0 || ((w & (LOCKED | RESILIENT)) == 0 && STATE.compareAndSet(this, w, w | LOCKED))) {
            onFastAcquire();
            return true;
        }
        return false;
    }

    /**
     * Records ownership after a fast-path CAS. RESILIENT was clear, so the mutex has no
     * held-locks table to update and {@link #onAcquire}'s mode test is not needed.
     */
    private void onFastAcquire() {
        OWNER.setOpaque(this, callerTask());
        countAcquisition();
    }

    /** Counts an acquisition: written only by the new owner, so the lock serialises the increments. */
    private void countAcquisition() {
        ACQUISITIONS.setOpaque(this, (long) ACQUISITIONS.getOpaque(this) + 1);
    }

    /**
     * The calling task, exactly {@code platform.currentTask()}, for a caller that owns the lock (its
     * CAS just succeeded, so the word's cache line is its own and the cache write costs no transfer).
     * With one Java thread per task (the native platform) a hit in {@link #cachedTask} saves the
     * platform's thread-local lookup (about six dependent loads): one load and one compare with
     * {@link Thread#currentThread()}, and no {@link #threadPerTask} test, since the cache is non-null
     * only on that platform.
     */
    private PlatformTask callerTask() {
        PlatformTask me = lookupTask();
        if (threadPerTask && me != cachedTask) {
            cachedTask = (NativePlatform.ThreadTask) me;
        }
        return me;
    }

    /**
     * The calling task, as {@link #callerTask()}, without writing the cache: for callers that do
     * not own the lock (a store there would pull the word's cache line away from the owner).
     */
    private PlatformTask lookupTask() {
        NativePlatform.ThreadTask t = cachedTask;
        if (t != null && t.thread() == Thread.currentThread()) {
            return t;
        }
        return platform.currentTask();
    }

    /**
     * Whether the caller owns the mutex. An opaque read suffices: only the owner wrote itself
     * there, and a former owner cleared the field itself before releasing, so it cannot read its
     * own stale ownership back. On the native platform the owner's thread is compared with the
     * current one (each thread has exactly one task), which needs no look-up of the caller's task.
     */
    private boolean ownedByCaller() {
        Object o = OWNER.getOpaque(this);
        if (o == null) {
            return false;
        }
        if (threadPerTask) {
            return o instanceof NativePlatform.ThreadTask t && t.thread() == Thread.currentThread();
        }
        return o == platform.currentTask();
    }

    /**
     * Records ownership after the state CAS; {@code held} is the table already pushed, if any, and
     * {@code region} the caller's owner-state region, if it looked it up (slow paths).
     */
    private void onAcquire(PlatformTask me, HeldLocks held, ScratchRegion region) {
        OWNER.setOpaque(this, me);
        OWNER_REGION.setOpaque(this, region);
        if (heldLocks != null) {
            if (held == null) {
                held = heldLocks.current();
                held.push(id);
            }
            OWNER_HELD.setVolatile(this, held);
        }
        countAcquisition();
    }

    /** Slow-path acquire with rollback on failure; returns ACQUIRED, TIMED_OUT, INTERRUPTED or DEADLOCKED. */
    private int acquire(PlatformTask me, int flags, long deadline) {
        if (OWNER.getOpaque(this) == me) { // AA: exact, whatever the nesting depth
            deadlocks.increment();
            return DEADLOCKED;
        }
        source.prepare(me); // e.g. the shared kernel source registers the thread; cheap once done
        ScratchRegion mine = source.regionOf(me); // published beside owner if we get the lock
        HeldLocks held = null;
        if (heldLocks != null) {
            if ((flags & UNBOUNDED) == 0) {
                long bound = platform.nanoTime() + resilientTimeoutNanos;
                if ((flags & TIMED) == 0 || bound - deadline < 0) {
                    deadline = bound;
                }
                flags |= TIMED | DETECT_DEADLOCK;
            }
            held = heldLocks.current();
            held.push(id); // visible to other tasks' ABBA checks while we wait
        }
        boolean ignoredInterrupt = false;
        int r;
        if (tryLockBits() || spin(me, null, flags, deadline)) {
            r = ACQUIRED;
        } else {
            r = acquireQueued(me, held, mine, flags, deadline);
            if (r < 0) {
                ignoredInterrupt = true;
                r = ACQUIRED;
            }
        }
        if (r == ACQUIRED) {
            onAcquire(me, held, mine);
            if (ignoredInterrupt) {
                platform.interrupt(me);
            }
        } else {
            if (held != null) {
                held.remove(id);
            }
            if (r != INTERRUPTED) {
                (r == DEADLOCKED ? deadlocks : timeouts).increment();
            }
        }
        return r;
    }

    /**
     * Queues, then loops: granted? try; spin if first; maybe request hand-off; give up?; park.
     * Returns a result code, or -1 for ACQUIRED after an interrupt was ignored (and cleared).
     */
    private int acquireQueued(PlatformTask me, HeldLocks held, ScratchRegion region, int flags, long deadline) {
        Waiter node = new Waiter(me, held, region);
        queue.lock(platform);
        try {
            queue.add(node);
            STATE.getAndBitwiseOr(this, WAITERS);
        } finally {
            queue.unlock();
        }
        boolean ignoredInterrupt = false;
        boolean wasFirst = false;
        long firstSince = 0L;
        int losses = 0;
        long nextDeadlockCheck = platform.nanoTime();
        for (;;) {
            if (node.status() == Waiter.GRANTED) {
                handoffs.increment();
                return ignoredInterrupt ? -1 : ACQUIRED;
            }
            if (tryLockBits()) {
                leaveQueue(node);
                return ignoredInterrupt ? -1 : ACQUIRED;
            }
            long now = platform.nanoTime();
            if (queue.first() == node) {
                if (spin(me, node, flags, deadline)) {
                    leaveQueue(node);
                    return ignoredInterrupt ? -1 : ACQUIRED;
                }
                if (node.status() == Waiter.GRANTED) {
                    continue;
                }
                now = platform.nanoTime();
                if (!wasFirst) {
                    wasFirst = true;
                    firstSince = now;
                } else if (++losses >= tuning.handoffAfterFailures() || now - firstSince >= tuning.handoffAfterNanos()) {
                    requestHandoff();
                }
            }
            int giveUp = -1;
            if ((flags & INTERRUPTIBLE) != 0 && platform.isInterrupted()) {
                giveUp = INTERRUPTED;
            } else if ((flags & TIMED) != 0 && deadline - now <= 0) {
                giveUp = TIMED_OUT;
            } else if ((flags & DETECT_DEADLOCK) != 0 && now - nextDeadlockCheck >= 0) {
                nextDeadlockCheck = now + DEADLOCK_CHECK_INTERVAL_NANOS;
                if (abbaDeadlock(held)) {
                    giveUp = DEADLOCKED;
                }
            }
            if (giveUp >= 0) {
                if (cancel(node)) {
                    if (giveUp == INTERRUPTED) {
                        platform.interrupted(); // InterruptedException clears the status
                    }
                    return giveUp;
                }
                continue; // granted meanwhile: we own the lock
            }
            if ((flags & INTERRUPTIBLE) == 0 && platform.isInterrupted()) {
                platform.interrupted(); // else park would return at once, forever
                ignoredInterrupt = true;
            }
            node.arm(); // then re-read the word: pairs with releaseSlow's CAS then tryWake (Dekker)
            if ((state & LOCKED) != 0 && node.status() == Waiter.WAITING) {
                parks.increment();
                if ((flags & TIMED) != 0) {
                    long wait = deadline - now;
                    if ((flags & DETECT_DEADLOCK) != 0) {
                        wait = Math.min(wait, DEADLOCK_CHECK_INTERVAL_NANOS);
                    }
                    platform.parkNanos(this, wait);
                } else {
                    platform.park(this);
                }
            }
            node.disarm();
        }
    }

    /**
     * Spins on the owner; see the class comment for the rules. {@code node} is the caller's queue
     * node if it spins as the first waiter, else null. Returns true if it set LOCKED.
     */
    private boolean spin(PlatformTask me, Waiter node, int flags, long deadline) {
        SpinnerSlot slot = this.slot;
        platform.lineAccess(slot, true);
        if (slot.spinner != null || !slot.claim(me)) {
            return false; // someone else spins on the owner; we queue and park
        }
        long token = source.enterRead(); // one section per episode: see "Owner-region lifetime"
        boolean acquired = false;
        PlatformTask looked = null; // the fast-path owner whose region we looked up, and that region
        ScratchRegion lookedRegion = null;
        boolean notRunningOnce = !tuning.recheckNotRunning(); // true: stop at the first NOT_RUNNING
        int clockEvery = tuning.clockEveryPolls();
        int maxGap = tuning.maxPollGap();
        int gap = slot.gap; // pauses before the next read of the lock word: the last episode's, to start with
        PlatformTask gapOwner = null; // the owner whose acquisition count we last read, and that count
        long gapAcquisitions = 0L;
        int pauses = 0; // since the last clock read
        boolean inSlot = true; // the slot and the read-side section are left early on success
        try {
            // Inside the try: a clock read is a platform call, which may unwind (the model's end of run).
            long start = platform.nanoTime();
            long now;
            for (;;) {
                platform.lineAccess(this, false);
                int s = state;
                if ((s & LOCKED) == 0) {
                    platform.lineAccess(this, true);
                    if (STATE.compareAndSet(this, s, s | LOCKED)) {
                        acquired = true;
                        break;
                    }
                    // A barging owner took the word between our read and our CAS: back off as for a held
                    // word (pause, gap, clock), or read-CAS races with it pull its line away on every
                    // acquisition and the budget is never checked.
                }
                if (node == null ? (s & HANDOFF) != 0 : node.status() != Waiter.WAITING) {
                    break; // the lock goes to the first waiter, or we were just granted it
                }
                PlatformTask o = (PlatformTask) OWNER.getOpaque(this);
                ScratchRegion r = (ScratchRegion) OWNER_REGION.getOpaque(this);
                if (r == null && o != null) {
                    if (o != looked) { // once per owner, not per poll
                        looked = o;
                        lookedRegion = source.regionOf(o);
                    }
                    r = lookedRegion;
                }
                OwnerState st = r != null ? onCpu(r) : o == null ? OwnerState.UNKNOWN : source.ownerState(o);
                if (st == OwnerState.NOT_RUNNING) {
                    if (notRunningOnce) {
                        break;
                    }
                    notRunningOnce = true; // re-check once: the owner may be on its way back in
                } else if (tuning.recheckNotRunning()) {
                    notRunningOnce = false;
                }
                if (maxGap > 1 && o != null) {
                    // Opaque: a hint read on the lock word's own line; a stale count only mis-sizes one gap.
                    long a = (long) ACQUISITIONS.getOpaque(this);
                    if (o == gapOwner) {
                        gap = nextGap(gap, maxGap, a != gapAcquisitions);
                    }
                    gapOwner = o;
                    gapAcquisitions = a;
                }
                if ((pauses += gap) >= clockEvery) {
                    pauses = 0;
                    now = platform.nanoTime();
                    long budget = st == OwnerState.RUNNING ? tuning.runningSpinNanos() : tuning.unknownSpinNanos();
                    if (now - start >= budget || ((flags & TIMED) != 0 && now - deadline >= 0) || source.shouldYield(me)) {
                        break;
                    }
                }
                pause(gap, r);
            }
            slot.gap = gap;
            if (acquired) {
                // The slot is freed first: the owner we just beat fails its fast path right now and
                // must find the slot free, to spin on us instead of queueing and parking.
                inSlot = false;
                slot.release();
                source.exitRead(token);
                now = platform.nanoTime();
                countSpinWin(now - start); // we own the lock: the lock serialises these counters
            } else {
                now = platform.nanoTime();
                slot.count(now - start); // under the slot: only its holder writes these counters
            }
        } finally {
            if (inSlot) {
                source.exitRead(token);
                slot.release();
            }
        }
        return acquired;
    }

    /** Counts a spin episode that ended with the lock: written by the new owner only, as {@link #countAcquisition}. */
    private void countSpinWin(long nanos) {
        SPIN_WINS.setOpaque(this, (long) SPIN_WINS.getOpaque(this) + 1);
        SPIN_WIN_NANOS.setOpaque(this, (long) SPIN_WIN_NANOS.getOpaque(this) + nanos);
    }

    /**
     * The next gap between reads of the lock word under the same owner ({@link SpinTuning#maxPollGap()}):
     * doubled when the owner re-took the lock since the last read (its acquisition count moved, yet
     * we never saw the word free: it barges, and our reads only pull its cache line away), halved when
     * it did not (it holds on and will release: read sooner).
     */
    static int nextGap(int gap, int maxGap, boolean reacquired) {
        return reacquired ? Math.min(gap << 1, maxGap) : Math.max(gap >> 1, 1);
    }

    /**
     * Waits {@code gap} pauses between two reads of the lock word. With the owner's region at hand it
     * is read every pause (another cache line, not the owner's): an owner that leaves its CPU ends the
     * gap at once, so a long gap never delays the decision to park.
     */
    private void pause(int gap, ScratchRegion r) {
        for (int i = 0; i < gap; i++) {
            platform.spinPause();
            if (r != null && gap > 1 && onCpu(r) == OwnerState.NOT_RUNNING) {
                return;
            }
        }
    }

    /** A region's {@code on_cpu} as a state; a region freed under us (unregistered owner) is UNKNOWN. */
    private static OwnerState onCpu(ScratchRegion r) {
        try {
            return r.onCpu() ? OwnerState.RUNNING : OwnerState.NOT_RUNNING;
        } catch (IllegalStateException freed) {
            return OwnerState.UNKNOWN;
        }
    }

    /** Sets HANDOFF if the lock is held and HANDOFF is not yet set. */
    private void requestHandoff() {
        int s = state;
        while ((s & (LOCKED | HANDOFF)) == LOCKED) {
            int w = (int) STATE.compareAndExchange(this, s, s | HANDOFF);
            if (w == s) {
                return;
            }
            s = w;
        }
    }

    /** Removes our node after we took the lock ourselves. */
    private void leaveQueue(Waiter node) {
        queue.lock(platform);
        try {
            queue.remove(node);
            if (queue.size() == 0) {
                STATE.getAndBitwiseAnd(this, ~(WAITERS | HANDOFF));
            }
        } finally {
            queue.unlock();
        }
    }

    /**
     * Withdraws a waiter that gives up. Returns false if it was granted the lock first (then the
     * caller owns it). Passes a possibly consumed wake-up on to the new first waiter.
     */
    private boolean cancel(Waiter node) {
        PlatformTask wake = null;
        queue.lock(platform);
        try {
            if (!node.tryFinish(Waiter.CANCELLED)) {
                return false;
            }
            queue.remove(node);
            if (queue.size() == 0) {
                STATE.getAndBitwiseAnd(this, ~(WAITERS | HANDOFF));
            } else if ((state & LOCKED) == 0) {
                wake = queue.first().task;
            }
        } finally {
            queue.unlock();
        }
        if (wake != null) {
            platform.unpark(wake);
        }
        return true;
    }

    // ---------------------------------------------------------------- resilient: ABBA

    /**
     * rqspinlock's {@code check_deadlock_ABBA}, with the owner known: the owner's topmost entry is
     * the lock it is acquiring; if we hold that lock (below our own top entry, which is this one)
     * and the owner's table lists this lock as held, neither can proceed. The owner's table is
     * read inside its read-side section: the owner may exit and its table's memory be freed, which
     * reads as an empty table (no deadlock).
     */
    private boolean abbaDeadlock(HeldLocks mine) {
        HeldLocks theirs = (HeldLocks) OWNER_HELD.getVolatile(this);
        if (theirs == null || theirs == mine) {
            return false;
        }
        theirs.enterRead();
        try {
            int n = theirs.count();
            if (n < 2 || n > HeldLocks.CAPACITY) {
                return false; // needs one held and one wanted entry; past the capacity the top is unrecorded
            }
            long wanted = theirs.entry(n - 1);
            if (wanted == HeldLocks.EMPTY || wanted == id) {
                return false;
            }
            return mine.contains(wanted, mine.count() - 1) && theirs.contains(id, n - 1)
                    && OWNER_HELD.getVolatile(this) == theirs;
        } finally {
            theirs.exitRead();
        }
    }

    // ---------------------------------------------------------------- release

    /** Releases ownership held by the caller (checked by the caller). */
    private void release() {
        platform.lineAccess(this, true);
        OWNER_REGION.setOpaque(this, null); // unpublished before the CAS below frees the word (lifetime rule)
        OWNER.setOpaque(this, null);
        // Fails for WAITERS, HANDOFF or RESILIENT. compareAndExchange is the same lock cmpxchg as
        // compareAndSet on x86; the witness saves the slow path a re-read of the word.
        int s = (int) STATE.compareAndExchange(this, LOCKED, 0);
        if (s != LOCKED) {
            releaseSlow(s);
        }
    }

    /**
     * Release with WAITERS, HANDOFF or RESILIENT set ({@code s}: the word as last seen, still
     * LOCKED). In resilient mode the lock leaves the owner's table first. Normally no guard:
     * clear LOCKED (keeping WAITERS), then unpark the first waiter if it is armed (parked or
     * about to park); a first waiter that is spinning or running sees the free word itself.
     * With HANDOFF, hand the lock over under the guard.
     */
    private void releaseSlow(int s) {
        if (heldLocks != null) {
            HeldLocks held = (HeldLocks) OWNER_HELD.getVolatile(this);
            OWNER_HELD.setVolatile(this, null);
            held.remove(id); // before the release, as rqspinlock: a table never lists a lock it lost
        }
        for (;;) {
            if ((s & HANDOFF) != 0) {
                if (handOff()) {
                    return;
                }
                s = state;
            } else {
                int w = (int) STATE.compareAndExchange(this, s, s & ~LOCKED);
                if (w == s) {
                    break;
                }
                s = w;
            }
        }
        Waiter first = queue.first(); // volatile read after the CAS: see the class comment
        if (first != null && first.tryWake()) {
            platform.unpark(first.task);
        }
    }

    /**
     * Under the guard, makes the first waiter the owner without ever clearing LOCKED, so no one
     * can barge in. Returns false (and clears a stale HANDOFF) if the queue is empty.
     */
    private boolean handOff() {
        Waiter first;
        queue.lock(platform);
        try {
            first = queue.first();
            if (first == null) {
                STATE.getAndBitwiseAnd(this, ~HANDOFF);
                return false;
            }
            // WAITERS changes only under the guard we hold; LOCKED is ours; HANDOFF is set.
            STATE.setVolatile(this, (state & RESILIENT) | (queue.size() > 1 ? LOCKED | WAITERS : LOCKED));
            queue.poll();
            OWNER.setOpaque(this, first.task); // before our own next ownership check
            OWNER_REGION.setOpaque(this, first.region);
            if (heldLocks != null) {
                OWNER_HELD.setVolatile(this, first.held);
            }
            first.grant(); // volatile store publishes owner fields to the new owner
        } finally {
            queue.unlock();
        }
        platform.unpark(first.task);
        return true;
    }

    // ---------------------------------------------------------------- helpers

    private long deadlineAfter(long nanos) {
        return platform.nanoTime() + Math.min(Math.max(nanos, 0L), MAX_TIMEOUT_NANOS);
    }

    private ScratchException failure(int r, PlatformTask me) {
        if (r == TIMED_OUT) {
            return new ScratchException(Errno.ETIMEDOUT, me.name() + " did not get " + this
                    + " within the resilient bound of " + resilientTimeoutNanos + " ns");
        }
        if (OWNER.getOpaque(this) == me) {
            return new ScratchException(Errno.EDEADLK, me.name() + " already owns " + this
                    + " (AdaptiveMutex is not reentrant)");
        }
        return new ScratchException(Errno.EDEADLK, me.name() + " waits for " + this
                + " whose owner waits for a lock " + me.name() + " holds (ABBA)");
    }

    private PlatformTask checkOwner() {
        PlatformTask me = lookupTask();
        if (!ownedByCaller()) {
            throw new IllegalMonitorStateException(me.name() + " does not own " + this);
        }
        return me;
    }

    // ---------------------------------------------------------------- conditions

    /** A condition queue; its nodes move WAITING to GRANTED (signal) or CANCELLED (the waiter gave up). */
    private final class MutexCondition implements Condition {
        private final WaitQueue waiters = new WaitQueue();

        AdaptiveMutex mutex() {
            return AdaptiveMutex.this;
        }

        /** Calls {@code action} on each node still WAITING (not signalled, not given up), under the guard. */
        void forEachWaiting(Consumer<Waiter> action) {
            waiters.lock(platform);
            try {
                waiters.forEach(w -> {
                    if (w.status() == Waiter.WAITING) {
                        action.accept(w);
                    }
                });
            } finally {
                waiters.unlock();
            }
        }

        @Override
        public void await() throws InterruptedException {
            doAwait(true, false, 0L);
        }

        @Override
        public void awaitUninterruptibly() {
            try {
                doAwait(false, false, 0L);
            } catch (InterruptedException impossible) {
                throw new AssertionError(impossible);
            }
        }

        @Override
        public long awaitNanos(long nanosTimeout) throws InterruptedException {
            long deadline = deadlineAfter(nanosTimeout);
            doAwait(true, true, deadline);
            return deadline - platform.nanoTime();
        }

        @Override
        public boolean await(long time, TimeUnit unit) throws InterruptedException {
            return doAwait(true, true, deadlineAfter(unit.toNanos(time)));
        }

        /** The date is turned into a relative timeout once, with the wall clock of the JVM. */
        @Override
        public boolean awaitUntil(Date deadline) throws InterruptedException {
            long millis = deadline.getTime() - System.currentTimeMillis();
            return doAwait(true, true, deadlineAfter(TimeUnit.MILLISECONDS.toNanos(millis)));
        }

        /** Returns false iff the wait timed out. */
        private boolean doAwait(boolean interruptible, boolean timed, long deadline) throws InterruptedException {
            PlatformTask me = checkOwner();
            if (interruptible && platform.interrupted()) {
                throw new InterruptedException();
            }
            Waiter w = new Waiter(me, null);
            waiters.lock(platform);
            try {
                waiters.add(w);
            } finally {
                waiters.unlock();
            }
            release();
            boolean interrupted = false;
            boolean timedOut = false;
            boolean ignoredInterrupt = false;
            while (w.status() == Waiter.WAITING) {
                if (platform.isInterrupted()) {
                    if (interruptible) {
                        interrupted = w.tryFinish(Waiter.CANCELLED);
                        continue; // cancelled, or signalled just before: the loop ends either way
                    }
                    platform.interrupted();
                    ignoredInterrupt = true;
                }
                if (timed) {
                    long left = deadline - platform.nanoTime();
                    if (left <= 0) {
                        timedOut = w.tryFinish(Waiter.CANCELLED);
                        continue;
                    }
                    platform.parkNanos(this, left);
                } else {
                    platform.park(this);
                }
            }
            reacquire(me);
            if (w.status() == Waiter.CANCELLED) {
                waiters.lock(platform);
                try {
                    waiters.remove(w);
                } finally {
                    waiters.unlock();
                }
            }
            if (interrupted) {
                platform.interrupted();
                throw new InterruptedException();
            }
            if (ignoredInterrupt) {
                platform.interrupt(me);
            }
            return !timedOut;
        }

        /** Re-acquires after a wait: uninterruptible, unbounded even in resilient mode. */
        private void reacquire(PlatformTask me) {
            if (STATE.compareAndSet(AdaptiveMutex.this, 0, LOCKED)) {
                onFastAcquire();
            } else {
                acquire(me, UNBOUNDED, 0L); // cannot fail: not interruptible, not timed, AA impossible
            }
        }

        @Override
        public void signal() {
            checkOwner();
            wakeWaiters(false);
        }

        @Override
        public void signalAll() {
            checkOwner();
            wakeWaiters(true);
        }

        private void wakeWaiters(boolean all) {
            for (;;) {
                Waiter w;
                waiters.lock(platform);
                try {
                    w = waiters.poll();
                } finally {
                    waiters.unlock();
                }
                if (w == null) {
                    return;
                }
                if (w.tryFinish(Waiter.GRANTED)) {
                    platform.unpark(w.task);
                    if (!all) {
                        return;
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- builder

    /** Configures an {@link AdaptiveMutex}. */
    public static final class Builder {
        private final Platform platform;
        private OwnerStateSource source = OwnerStateSource.none();
        /** Null: the platform's default ({@link #build()}). */
        private SpinTuning tuning;
        private HeldLocks.Provider heldLocks;
        /** {@link #resilient()}: pick the tables from the source at build time. */
        private boolean defaultTables;
        private long resilientTimeoutNanos = DEFAULT_RESILIENT_TIMEOUT_NANOS;

        private Builder(Platform platform) {
            this.platform = Objects.requireNonNull(platform, "platform");
        }

        /**
         * Where to learn whether the owner runs. Default: {@link OwnerStateSource#none()}, which
         * loads and reads nothing (the mutex is then a time-bounded spin-then-park lock). Kernel-written
         * state is an explicit opt-in of the kernel backend module ({@code scratch-kernel}'s
         * {@code KernelOwnerState.shared()}), which loads its BPF program only when asked.
         *
         * @param source the source
         * @return this builder
         */
        public Builder stateSource(OwnerStateSource source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * Spin budgets and hand-off thresholds. Default: {@link SpinTuning#NATIVE} on
         * {@link NativePlatform} (derived from the calibrated wake-up cost, a constant: building
         * measures nothing), {@link SpinTuning#DEFAULT} on any other platform (a model passes the
         * tuning its costs imply).
         * {@link SpinTuning#measured()} measures this machine's wake-up cost instead.
         *
         * @param tuning the tuning
         * @return this builder
         */
        public Builder tuning(SpinTuning tuning) {
            this.tuning = Objects.requireNonNull(tuning, "tuning");
            return this;
        }

        /**
         * Turns on resilient mode with the given held-locks tables. Locks that may deadlock with
         * each other must find a task's locks in one table (the same provider, or providers over the
         * same regions), or ABBA cannot be seen (it then ends in TIMEOUT).
         *
         * @param tables supplies the calling task's table, e.g. {@link HeldLocks.Provider#perThread()}
         * @return this builder
         */
        public Builder resilient(HeldLocks.Provider tables) {
            this.heldLocks = Objects.requireNonNull(tables, "tables");
            this.defaultTables = false;
            return this;
        }

        /**
         * Turns on resilient mode with the default tables for the platform and the state source
         * set when {@link #build()} runs ({@link HeldLocks.Provider#defaultFor}): each task's
         * table in its scratch region where the source has regions, else on the heap.
         *
         * @return this builder
         */
        public Builder resilient() {
            this.heldLocks = null;
            this.defaultTables = true;
            return this;
        }

        /**
         * The resilient-mode time bound (default 250 ms).
         *
         * @param time the bound
         * @param unit its unit
         * @return this builder
         * @throws ScratchException {@link Errno#EINVAL} if the bound is not positive
         */
        public Builder resilientTimeout(long time, TimeUnit unit) {
            long nanos = unit.toNanos(time);
            if (nanos <= 0 || nanos > MAX_TIMEOUT_NANOS) {
                throw new ScratchException(Errno.EINVAL, "resilientTimeout " + time + " " + unit
                        + ": must be positive and below " + MAX_TIMEOUT_NANOS + " ns");
            }
            this.resilientTimeoutNanos = nanos;
            return this;
        }

        /** The configured mutex, unlocked. */
        public AdaptiveMutex build() {
            if (tuning == null) {
                tuning = platform instanceof NativePlatform ? SpinTuning.NATIVE : SpinTuning.DEFAULT;
            }
            if (defaultTables) { // after the source: the tables follow it
                heldLocks = HeldLocks.Provider.defaultFor(platform, source);
            }
            return new AdaptiveMutex(this);
        }
    }
}
