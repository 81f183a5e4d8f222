package io.taskscratch.stress.mutex;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/** Negative control for {@link LostWakeupTest}: the same race on {@link LostWakeupLock}, which parks without re-checking. */
@JCStressTest
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "waiter acquired the lock in time")
@Outcome(id = "0, 0", expect = ACCEPTABLE_INTERESTING, desc = "waiter timed out while the holder was stalled")
@Outcome(expect = FORBIDDEN, desc = "lost wake-up: waiter stayed parked long after the lock was free")
@State
public class BrokenLostWakeupTest {
    private final LostWakeupLock lock = new LostWakeupLock();
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
