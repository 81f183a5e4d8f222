package io.taskscratch.stress.mutex;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.mutex.SpinTuning;
import io.taskscratch.platform.NativePlatform;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * No lost wake-up in {@code AdaptiveMutex}: a waiter that queues and parks while the holder
 * unlocks is always woken (see {@link WakeupRace}). Spinning is switched off so that every
 * contended acquire goes through the queue and park path.
 */
@JCStressTest
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "waiter acquired the lock in time")
@Outcome(id = "0, 0", expect = ACCEPTABLE_INTERESTING, desc = "waiter timed out while the holder was stalled")
@Outcome(expect = FORBIDDEN, desc = "lost wake-up: waiter stayed parked long after the lock was free")
@State
public class LostWakeupTest {
    static final SpinTuning NO_SPIN = new SpinTuning(0, 0, SpinTuning.DEFAULT.handoffAfterFailures(),
            SpinTuning.DEFAULT.handoffAfterNanos());

    private final AdaptiveMutex lock = AdaptiveMutex.builder(NativePlatform.instance()).tuning(NO_SPIN).build();
    private final WakeupRace race = new WakeupRace();

    /** Takes and releases the lock. */
    @Actor
    public void holder() {
        race.hold(lock);
    }

    /** Tries to take it meanwhile. */
    @Actor
    public void waiter(II_Result r) {
        race.await(lock, r);
    }
}
