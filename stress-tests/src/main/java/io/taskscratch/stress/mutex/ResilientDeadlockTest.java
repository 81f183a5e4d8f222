package io.taskscratch.stress.mutex;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.mutex.HeldLocks;
import io.taskscratch.platform.NativePlatform;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Resilient mode (rqspinlock): AA gives DEADLOCK at once; an overlapping AB/BA never leaves both
 * actors waiting for the time bound (the ABBA check finds the cycle); afterwards both locks are
 * free with empty queues and both held-locks tables are empty. See {@link AbBa} for the result.
 */
@JCStressTest
@Outcome(id = {"0, 0, 0", "0, 1, 0", "1, 0, 0", "1, 1, 0"}, expect = ACCEPTABLE,
        desc = "no overlap, or the AB/BA cycle was found by one or both actors")
@Outcome(id = {"0, 2, 0", "2, 0, 0", "1, 2, 0", "2, 1, 0", "0, 3, 0", "3, 0, 0", "1, 3, 0", "3, 1, 0", "2, 3, 0", "3, 2, 0", "3, 3, 0"},
        expect = ACCEPTABLE_INTERESTING, desc = "one actor hit the time bound (a stalled thread)")
@Outcome(expect = FORBIDDEN, desc = "AB/BA undetected (both timed out), AA not DEADLOCK, or state left behind")
@State
public class ResilientDeadlockTest {
    private final AbBa locks = new AbBa(resilient(), resilient());

    private static AdaptiveMutex resilient() {
        return AdaptiveMutex.builder(NativePlatform.instance()).resilient(HeldLocks.Provider.perThread())
                .resilientTimeout(AbBa.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).build();
    }

    /** A, AA, B. */
    @Actor
    public void ab(III_Result r) {
        locks.first(AdaptiveMutex::acquire, r);
    }

    /** B, A. */
    @Actor
    public void ba(III_Result r) {
        locks.second(AdaptiveMutex::acquire, r);
    }

    /** Both locks and tables clean. */
    @Arbiter
    public void check(III_Result r) {
        locks.check(r);
    }
}
