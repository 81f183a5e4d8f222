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
 */
public record SpinTuning(long unknownSpinNanos, long runningSpinNanos, int handoffAfterFailures, long handoffAfterNanos) {
    /** The defaults documented above. */
    public static final SpinTuning DEFAULT = new SpinTuning(
            TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MICROSECONDS.toNanos(20), 4, TimeUnit.MILLISECONDS.toNanos(1));

    /** Validates the budgets. */
    public SpinTuning {
        if (unknownSpinNanos < 0 || runningSpinNanos < 0 || handoffAfterFailures < 1 || handoffAfterNanos < 0) {
            throw new IllegalArgumentException("SpinTuning: budgets must be >= 0 and handoffAfterFailures >= 1, got "
                    + unknownSpinNanos + ", " + runningSpinNanos + ", " + handoffAfterFailures + ", " + handoffAfterNanos);
        }
    }
}
