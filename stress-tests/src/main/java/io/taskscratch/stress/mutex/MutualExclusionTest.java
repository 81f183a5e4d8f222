package io.taskscratch.stress.mutex;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskscratch.demo.locks.ComparedLock;
import io.taskscratch.demo.locks.LockFactory;
import io.taskscratch.demo.locks.LockKind;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.platform.NativePlatform;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIL_Result;

/**
 * Mutual exclusion (locktorture "Fail = 0") for every {@link LockKind}: the states cycle through
 * the kinds ({@code AdaptiveMutex}, resilient, the JDK locks, every baseline), each built by
 * {@link LockFactory} on {@link NativePlatform}; two actors do a plain read-modify-write inside
 * the lock.
 *
 * <p>Result: (final count, two threads seen inside at once, the {@link LockKind} of this state),
 * so a forbidden outcome names the lock that let two threads in.
 */
@JCStressTest
@Outcome(id = "2, 0, .*", expect = ACCEPTABLE, desc = "both increments, one thread inside at a time (any lock)")
@Outcome(expect = FORBIDDEN, desc = "lost update or two threads inside the critical section")
@State
public class MutualExclusionTest {
    private static final LockKind[] KINDS = LockKind.values();
    private static final AtomicInteger NEXT_KIND = new AtomicInteger();

    private final LockKind kind = KINDS[Math.floorMod(NEXT_KIND.getAndIncrement(), KINDS.length)];
    private final ComparedLock lock = LockFactory.create(kind, NativePlatform.instance(), OwnerStateSource.none());
    private final Counter counter = new Counter();

    /** First incrementer. */
    @Actor
    public void first() {
        lock.runLocked(counter::increment);
    }

    /** Second incrementer. */
    @Actor
    public void second() {
        lock.runLocked(counter::increment);
    }

    /** Reads the count. */
    @Arbiter
    public void check(IIL_Result r) {
        counter.result(r, kind.name());
    }
}
