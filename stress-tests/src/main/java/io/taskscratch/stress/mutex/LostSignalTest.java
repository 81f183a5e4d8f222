package io.taskscratch.stress.mutex;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.platform.NativePlatform;
import java.util.concurrent.locks.Condition;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * No lost signal in {@code AdaptiveMutex}'s {@link Condition}: an awaiter registered before a
 * signal always wakes (see {@link SignalRace}).
 */
@JCStressTest
@Outcome(id = {"1", "2"}, expect = ACCEPTABLE, desc = "woken by the signal, or the signal came first")
@Outcome(id = "3", expect = ACCEPTABLE_INTERESTING, desc = "timed out before the signal was sent (stalled signaller)")
@Outcome(id = "0", expect = FORBIDDEN, desc = "lost signal: awaiter timed out although signalled before its deadline")
@State
public class LostSignalTest {
    private final AdaptiveMutex lock = AdaptiveMutex.builder(NativePlatform.instance()).build();
    private final Condition condition = lock.newCondition();
    private final SignalRace race = new SignalRace();

    /** Waits for the signal unless it was already sent. */
    @Actor
    public void awaiter(I_Result r) {
        race.await(lock, condition, r);
    }

    /** Sends the signal. */
    @Actor
    public void signaller() {
        race.signal(lock, condition);
    }
}
