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
 * Negative control for {@link OwnerRegionLifetimeTest}: the release leaves the region published
 * (relying on the next owner to overwrite it after its CAS, which a fast-path owner never does), so
 * a spinner that sees the barger's lock finds the former owner's region after it was freed.
 */
@JCStressTest
@Outcome(id = "0", expect = ACCEPTABLE, desc = "no read of a freed region")
@Outcome(expect = FORBIDDEN, desc = "the spinner read the former owner's region after it was freed")
@State
public class BrokenOwnerRegionLifetimeTest {
    private final OwnerRegionRace race = new OwnerRegionRace();

    /** The owner: release without unpublishing, a barger, exit. */
    @Actor
    public void owner() {
        race.releaseBargeExit(false);
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
