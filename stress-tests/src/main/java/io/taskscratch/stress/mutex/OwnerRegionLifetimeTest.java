package io.taskscratch.stress.mutex;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * A spinner never reads a freed owner region: the release unpublishes the region before the CAS
 * that frees the word, and the spinner reads it only inside its read-side section
 * ({@link OwnerRegionRace}, AdaptiveMutex's protocol).
 */
@JCStressTest
@Outcome(id = "0", expect = ACCEPTABLE, desc = "no read of a freed region")
@Outcome(expect = FORBIDDEN, desc = "the spinner read the former owner's region after it was freed")
@State
public class OwnerRegionLifetimeTest {
    private final OwnerRegionRace race = new OwnerRegionRace();

    /** The owner: release (unpublishing), a barger, exit. */
    @Actor
    public void owner() {
        race.releaseBargeExit(true);
    }

    /** The spinner. */
    @Actor
    public void spinner() {
        race.spin();
    }

    /** Grades. */
    @Arbiter
    public void check(I_Result r) {
        race.grade(r);
    }
}
