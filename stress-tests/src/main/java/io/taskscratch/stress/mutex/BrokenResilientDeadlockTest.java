package io.taskscratch.stress.mutex;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.mutex.AcquireResult;
import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.platform.NativePlatform;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Negative control for {@link ResilientDeadlockTest}: a "resilient" lock without ABBA detection,
 * only a time bound (a plain {@code AdaptiveMutex} and {@code tryLock(timeout)}; AA still fails
 * at once). An overlapping AB/BA then makes both actors wait out the bound.
 */
@JCStressTest
@Outcome(id = {"0, 0, 0", "0, 1, 0", "1, 0, 0", "1, 1, 0"}, expect = ACCEPTABLE,
        desc = "no overlap, or the AB/BA cycle was found by one or both actors")
@Outcome(id = {"0, 2, 0", "2, 0, 0", "1, 2, 0", "2, 1, 0", "0, 3, 0", "3, 0, 0", "1, 3, 0", "3, 1, 0", "2, 3, 0", "3, 2, 0", "3, 3, 0"},
        expect = ACCEPTABLE_INTERESTING, desc = "one actor hit the time bound (a stalled thread)")
@Outcome(expect = FORBIDDEN, desc = "AB/BA undetected (both timed out), AA not DEADLOCK, or state left behind")
@State
public class BrokenResilientDeadlockTest {
    private final AbBa locks = new AbBa(AdaptiveMutex.create(NativePlatform.instance(), OwnerStateSource.none()),
            AdaptiveMutex.create(NativePlatform.instance(), OwnerStateSource.none()));

    /** Timeout only: DEADLOCK solely for AA (which the plain mutex refuses with EDEADLK). */
    private static AcquireResult acquire(AdaptiveMutex m) {
        try {
            return m.tryLock(AbBa.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) ? AcquireResult.OK : AcquireResult.TIMEOUT;
        } catch (ScratchException e) {
            if (e.errno() != Errno.EDEADLK) {
                throw e;
            }
            return AcquireResult.DEADLOCK;
        } catch (InterruptedException e) {
            throw new AssertionError("nobody interrupts jcstress actors", e);
        }
    }

    /** A, AA, B. */
    @Actor
    public void ab(III_Result r) {
        locks.first(BrokenResilientDeadlockTest::acquire, r);
    }

    /** B, A. */
    @Actor
    public void ba(III_Result r) {
        locks.second(BrokenResilientDeadlockTest::acquire, r);
    }

    /** Both locks and tables clean. */
    @Arbiter
    public void check(III_Result r) {
        locks.check(r);
    }
}
