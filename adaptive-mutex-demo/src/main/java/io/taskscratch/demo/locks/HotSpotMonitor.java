package io.taskscratch.demo.locks;

import io.taskscratch.mutex.internal.WaitQueue;
import io.taskscratch.mutex.internal.Waiter;
import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;

/**
 * A contended {@code synchronized} monitor as HotSpot's {@code ObjectMonitor} (JDK 25) runs it,
 * for the scheduler model, where the JDK's own monitor cannot run.
 *
 * <p>Implementation overview. Enter ({@code ObjectMonitor::enter}): one try, one adaptive spin
 * ({@code try_spin}), then again a try and a spin ({@code enter_internal}), then the waiter
 * queues (the entry list) and loops: try, park, try, spin. The adaptive spin
 * ({@code try_spin}): a pre-spin of {@value #PRE_SPIN} tries with a spin pause after each, then
 * up to {@code spinDuration} polls of the lock word with a spin pause every
 * {@value #PAUSE_INTERVAL} polls; the spin ends early without penalty when the word was free but
 * the CAS lost, or when the owner changed between two polls. {@code spinDuration}
 * ({@code _SpinDuration}, per monitor, starting at {@value #SPIN_LIMIT}) grows by
 * {@value #BONUS} after a spin that got the lock (first raised to {@value #POVERTY} if below)
 * and shrinks by {@value #PENALTY} after one that used all its polls. Exit
 * ({@code ObjectMonitor::exit}): with no successor and a waiter queued, it names the oldest
 * waiter successor, releases and unparks it (no hand-off: the woken waiter competes); otherwise
 * it releases and wakes nobody, since a spinner or an already woken waiter is the successor.
 *
 * <p>Invariants: {@code successor} is a spinner or a woken waiter that will try the word again
 * before it parks (a spinner clears it before its final try), so an exit that sees it set may
 * wake nobody; a queued waiter leaves the queue only after it holds the word.
 *
 * <p>Polls are plain loads on real hardware; in the model they are charged through
 * {@link Platform#spinLoads} in batches of at most {@value #LOAD_BATCH} (the polls between two
 * model calls see the same word, so a release is seen at most one batch late). Safepoint polls
 * and monitor deflation are not modelled.
 */
public final class HotSpotMonitor extends BaselineLock {
    /** {@code Knob_SpinLimit}: the largest spin duration, in polls. */
    static final int SPIN_LIMIT = 5000;
    /** {@code Knob_Bonus}: growth of the spin duration after a spin that got the lock. */
    static final int BONUS = 100;
    /** {@code Knob_Penalty}: shrinkage after a spin that used all its polls. */
    static final int PENALTY = 200;
    /** {@code Knob_Poverty}: a successful spin first raises the duration to this. */
    static final int POVERTY = 1000;
    /** {@code Knob_PreSpin}: tries, each followed by a spin pause, before the adaptive spin. */
    static final int PRE_SPIN = 10;
    /** A spin pause every this many polls ({@code (ctr & 0xFF) == 0}). */
    static final int PAUSE_INTERVAL = 256;
    private static final int PAUSE_MASK = PAUSE_INTERVAL - 1;
    /** Polls charged per model call. */
    static final int LOAD_BATCH = 32;

    private final WaitQueue queue = new WaitQueue();
    /** {@code _succ}, the heir presumptive; volatile: exit's check of it must follow its release of the word. */
    private volatile PlatformTask successor;
    /** {@code _SpinDuration}; plain, racy updates as in HotSpot (every update stays within 0..SPIN_LIMIT + BONUS). */
    private int spinDuration = SPIN_LIMIT;

    /**
     * @param platform where to spin and park
     * @param name     the name in reports
     */
    public HotSpotMonitor(Platform platform, String name) {
        super(platform, name);
    }

    /** The current adaptive spin duration, in polls ({@code _SpinDuration}). */
    int spinDuration() {
        return spinDuration;
    }

    @Override
    public void lock() {
        PlatformTask me = platform.currentTask();
        if (casAcquire(me) || trySpin(me) || casAcquire(me) || trySpin(me)) {
            return;
        }
        Waiter node = enqueue(queue, me);
        for (;;) {
            if (casAcquire(me)) {
                break;
            }
            parks.increment();
            platform.park(this);
            if (casAcquire(me) || trySpin(me)) {
                break;
            }
            if (successor == me) {
                successor = null; // volatile store, then the CAS at the top: retry the word before parking
            }
        }
        dequeue(queue, node);
        if (successor == me) {
            successor = null;
        }
    }

    /** HotSpot's {@code try_spin}: true if it got the lock. */
    private boolean trySpin(PlatformTask me) {
        for (int i = 0; i < PRE_SPIN; i++) {
            if (!isHeld() && casAcquire(me)) {
                spinDuration = adjustUp(spinDuration);
                return true;
            }
            spins.increment();
            platform.spinPause();
        }
        int ctr = spinDuration;
        if (ctr <= 0) {
            return false;
        }
        if (successor == null) {
            successor = me;
        }
        PlatformTask prv = null;
        int polls = 0; // polls since the last model call; between calls every poll sees the same word
        boolean acquired = false;
        while (--ctr >= 0) {
            if ((ctr & PAUSE_MASK) == 0) {
                polls = charge(polls);
                platform.spinPause();
            } else if (polls == LOAD_BATCH) {
                polls = charge(polls);
            }
            polls++;
            if (!isHeld()) {
                acquired = casAcquire(me); // a lost CAS ends the spin without penalty
                break;
            }
            PlatformTask ox = owner();
            if (prv != null && ox != prv) {
                break; // the lock changed hands: the odds of getting it in this spin are low
            }
            prv = ox;
            if (successor == null) {
                successor = me;
            }
        }
        if (acquired) {
            if (successor == me) {
                successor = null;
            }
            spinDuration = adjustUp(spinDuration);
            return true;
        }
        if (ctr < 0) {
            charge(polls);
            spinDuration = adjustDown(spinDuration);
        }
        if (successor == me) {
            successor = null; // volatile store before the final try: an exit after it wakes a waiter
            return !isHeld() && casAcquire(me);
        }
        return false;
    }

    /** Charges {@code polls} to the platform; returns 0 (the new count). */
    private int charge(int polls) {
        spins.add(polls);
        if (polls > 0) {
            platform.spinLoads(polls);
        }
        return 0;
    }

    static int adjustUp(int d) {
        return d < SPIN_LIMIT ? Math.max(d, POVERTY) + BONUS : d;
    }

    static int adjustDown(int d) {
        return d > 0 ? Math.max(0, d - PENALTY) : d;
    }

    @Override
    public void unlock() {
        PlatformTask me = checkOwner();
        for (;;) {
            if (successor == null) {
                Waiter w = queue.first();
                if (w != null) {
                    successor = w.task; // exit_epilog: name the successor, release, wake it
                    releaseWord();
                    platform.unpark(w.task);
                    return;
                }
            }
            releaseWord(); // volatile store, then the volatile loads below
            if (queue.first() == null || successor != null) {
                return; // no waiter, or a spinner / woken waiter will take the word
            }
            if (!relock(me)) {
                return; // the new owner is responsible for succession
            }
        }
    }
}
