package io.taskscratch.mutex;

import java.util.concurrent.TimeUnit;

/**
 * Time budgets of {@link AdaptiveMutex}'s spinner and its hand-off rule. Spinning is bounded by
 * time ({@code Platform.nanoTime()}), never by iteration counts: one PAUSE costs 10 to 140
 * cycles depending on the CPU.
 *
 * @param unknownSpinNanos     longest spin while the owner's state is UNKNOWN (no source, or no
 *                             answer). Default 10 µs: about one park/unpark round trip on Linux
 *                             (futex wait + wake + context switch, 5–10 µs), the classic
 *                             2-competitive choice for spin-then-block (Karlin et al., SOSP 1991)
 * @param runningSpinNanos     longest spin while the owner is reported RUNNING. Default 20 µs, two
 *                             park/unpark round trips: a running owner will release, but not
 *                             necessarily soon (the 100 µs sections of docs/design.md §12's bimodal mix), and
 *                             a spinner that outlasts a long section has burnt more than blocking costs.
 *                             Covers the short and 10 µs sections; bounds the damage when an on-CPU
 *                             hint is stale (lossy writers, missed switch-ins). Measured in the demo
 *                             (docs/demo.md): against 100 µs, bimodal with hogs 84k → 94k acq/s, 100 µs
 *                             sections 4.06k → 4.16k, the 1 and 10 µs scenarios unchanged
 * @param handoffAfterFailures a queued waiter that was first in line and still lost the lock
 *                             this many times requests a direct hand-off
 * @param handoffAfterNanos    ... or once it has been first in line this long (default 1 ms,
 *                             the "starvation event" threshold of docs/design.md §12)
 * @param clockEveryPolls      the spinner reads the clock (budget, deadline) and asks for yield
 *                             advice once every this many pauses, a power of two: a clock read costs
 *                             as much as a poll (default 1: every poll)
 * @param recheckNotRunning    whether an owner read as NOT_RUNNING is read once more, after a pause,
 *                             before the spinner stops (the owner may be on its way back in, or the
 *                             answer a lossy one); default false: stop at once
 * @param maxPollGap           most pauses between two reads of the lock word, a power of two: the gap
 *                             doubles while the owner re-takes the lock between two reads without the
 *                             spinner seeing it free (each read only pulls the lock's cache line away
 *                             from a barging owner), halves when a read finds the same acquisition
 *                             count, and a spin episode starts from the gap the last one ended with;
 *                             the owner's region is still read every pause. Default 1: read the word
 *                             every poll
 */
public record SpinTuning(long unknownSpinNanos, long runningSpinNanos, int handoffAfterFailures, long handoffAfterNanos,
                         int clockEveryPolls, boolean recheckNotRunning, int maxPollGap) {
    /**
     * The defaults documented above: fixed budgets that depend on no cost measurement, the
     * builder's default on platforms other than the native one. (The demo gives the model's mutex
     * {@link #forWakeupCost} of the model's calibrated wake-up instead.)
     */
    public static final SpinTuning DEFAULT = new SpinTuning(
            TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MICROSECONDS.toNanos(20), 4, TimeUnit.MILLISECONDS.toNanos(1));

    /** {@link #forWakeupCost}'s clock-read interval, in pauses. */
    public static final int POLLS_PER_CLOCK_READ = 8;

    /**
     * {@link #forWakeupCost}'s {@link #maxPollGap()}: 32 pauses, about 1.4 µs at the 43 ns one PAUSE
     * costs on the calibration host; a release is then seen at most that late after a barging phase.
     */
    public static final int MAX_POLL_GAP = 32;

    /** Longest wake-up cost {@link #forWakeupCost} accepts (1 s): a bound, not a plausible value. */
    static final long MAX_WAKEUP_NANOS = 1_000_000_000L;

    /**
     * The wake-up cost behind {@link #NATIVE}: 5 368 ns, {@code wakeupIdleNs} of the scheduler model's
     * checked-in calibration profile ({@code io/taskscratch/sched/calibration/default-profile.json},
     * measured on the 2-core test host: unpark until an idle CPU runs the wakee).
     */
    public static final long CALIBRATED_WAKEUP_NANOS = 5_368;

    /**
     * The default tuning of a mutex on the native platform: {@link #forWakeupCost} of
     * {@link #CALIBRATED_WAKEUP_NANOS}. A constant, so building a mutex measures nothing and starts no
     * thread; {@link #measured()} (an explicit opt-in) or {@link #forWakeupCost} adapt it to another machine.
     */
    public static final SpinTuning NATIVE = forWakeupCost(CALIBRATED_WAKEUP_NANOS);

    /**
     * The policy derived from the cost {@code w} of one wake-up (unpark until the parked task runs
     * again): spin up to {@code w} while the owner's state is UNKNOWN (the 2-competitive bound of
     * spin-then-block: never more than twice the cost of parking at once), up to {@code 2w} while it
     * is RUNNING (a running owner makes progress, and its release then needs no unpark system call),
     * request a hand-off after the first lost wake-up (a woken waiter that lost the lock to a
     * barger has paid one wake-up for nothing; it must not pay another), re-check a NOT_RUNNING
     * owner once before stopping, read the clock every {@value #POLLS_PER_CLOCK_READ} pauses, and
     * let the gap between reads of the lock word grow to {@value #MAX_POLL_GAP} pauses while the
     * owner barges. The first-in-line bound stays 1 ms.
     *
     * @param wakeupNanos the measured or configured cost of one wake-up, positive
     * @return the tuning
     * @throws IllegalArgumentException if {@code wakeupNanos} is not positive
     */
    public static SpinTuning forWakeupCost(long wakeupNanos) {
        if (wakeupNanos <= 0 || wakeupNanos > MAX_WAKEUP_NANOS) {
            throw new IllegalArgumentException("wakeupNanos " + wakeupNanos + ": must be in (0, " + MAX_WAKEUP_NANOS + "]");
        }
        return new SpinTuning(wakeupNanos, 2 * wakeupNanos, 1, TimeUnit.MILLISECONDS.toNanos(1), POLLS_PER_CLOCK_READ, true, MAX_POLL_GAP);
    }

    /**
     * {@link #forWakeupCost} with the wake-up cost of this machine, measured once per JVM on real
     * threads: the median of {@value WakeupCost#SAMPLES} wake-ups of a parked thread while the waker
     * keeps running (as a lock releaser does), clamped to [{@value WakeupCost#MIN_NANOS},
     * {@value WakeupCost#MAX_NANOS}] ns. An explicit opt-in: the first call takes a few ms and starts a
     * short-lived daemon thread ({@code taskscratch-wakeup-cost}) to be woken; building a mutex never
     * calls it (the native default is {@link #NATIVE}).
     *
     * @return the tuning for this machine
     */
    public static SpinTuning measured() {
        return WakeupCost.TUNING;
    }

    /**
     * The four budgets, with the clock read on every poll, no NOT_RUNNING re-check and the lock word
     * read every poll (as {@link #DEFAULT}).
     *
     * @param unknownSpinNanos     see the record
     * @param runningSpinNanos     see the record
     * @param handoffAfterFailures see the record
     * @param handoffAfterNanos    see the record
     */
    public SpinTuning(long unknownSpinNanos, long runningSpinNanos, int handoffAfterFailures, long handoffAfterNanos) {
        this(unknownSpinNanos, runningSpinNanos, handoffAfterFailures, handoffAfterNanos, 1, false, 1);
    }

    /** Validates the budgets. */
    public SpinTuning {
        if (unknownSpinNanos < 0 || runningSpinNanos < 0 || handoffAfterFailures < 1 || handoffAfterNanos < 0
                || clockEveryPolls < 1 || Integer.bitCount(clockEveryPolls) != 1
                || maxPollGap < 1 || Integer.bitCount(maxPollGap) != 1) {
            throw new IllegalArgumentException("SpinTuning: budgets must be >= 0, handoffAfterFailures >= 1 and"
                    + " clockEveryPolls and maxPollGap powers of two, got " + unknownSpinNanos + ", " + runningSpinNanos
                    + ", " + handoffAfterFailures + ", " + handoffAfterNanos + ", " + clockEveryPolls + ", " + maxPollGap);
        }
    }
}
