package io.taskscratch.stress.mutex;

import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.stress.rcu.Delay;
import io.taskscratch.stress.rcu.Poison;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * The owner-region protocol of {@code AdaptiveMutex} in miniature, for {@link OwnerRegionLifetimeTest}
 * and its broken twin: the same lock word, {@code owner} and {@code ownerRegion} fields with the
 * same access modes, the same release (unpublish the region, clear the owner, CAS the word free)
 * and the same spinner read (inside its read-side section: lock word, then the published region,
 * then {@code on_cpu}). The region is a {@link Poison}: after its owner released the lock, exits and
 * its region is freed after a grace period of {@link Rcu#global()} (what the kernel backend's exit
 * hook does), any read of it is a use after free. Between the release and the exit another task
 * takes the free lock on the fast path, which publishes no region, so a region still published
 * then belongs to the former owner. (Two actors: jcstress runs no more actors than CPUs, and the
 * barging task's steps come in program order between the release and the exit either way.)
 */
final class OwnerRegionRace {
    private static final int LOCKED = 1;
    private static final VarHandle STATE;
    private static final VarHandle OWNER;
    private static final VarHandle OWNER_REGION;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(OwnerRegionRace.class, "state", int.class);
            OWNER = l.findVarHandle(OwnerRegionRace.class, "owner", Object.class);
            OWNER_REGION = l.findVarHandle(OwnerRegionRace.class, "ownerRegion", Poison.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Rcu rcu = Rcu.global();
    private final Poison region = new Poison();
    private final AtomicInteger uaf = new AtomicInteger();
    @SuppressWarnings("unused")
    private volatile int state = LOCKED;
    @SuppressWarnings("unused")
    private Object owner = "X";
    @SuppressWarnings("unused")
    private Poison ownerRegion = region; // X acquired on a slow path and published its region

    /**
     * The owner releases, another task barges in on the fast path, the owner exits: its region is
     * retired and freed after a grace period.
     *
     * @param unpublish whether the release unpublishes the region first (AdaptiveMutex does)
     */
    void releaseBargeExit(boolean unpublish) {
        if (unpublish) {
            OWNER_REGION.setOpaque(this, null);
        }
        OWNER.setOpaque(this, null);
        STATE.compareAndExchange(this, LOCKED, 0);
        if (STATE.compareAndSet(this, 0, LOCKED)) { // the barger's fast path: owner, no region
            OWNER.setOpaque(this, "W");
        }
        rcu.synchronize(Flavor.NORMAL); // the exit hook's retirement ...
        region.free(); // ... and the free after the grace period
    }

    /** The spinner's poll, a little later: in its section, it reads the region published beside the owner. */
    void spin() {
        Delay.spin();
        Delay.spin();
        rcu.readLock(Flavor.NORMAL);
        try {
            if (((int) STATE.getVolatile(this) & LOCKED) != 0) {
                Poison r = (Poison) OWNER_REGION.getOpaque(this);
                if (r != null) {
                    Delay.spin(); // reading on_cpu
                    r.use(uaf);
                }
            }
        } finally {
            rcu.readUnlock(Flavor.NORMAL);
        }
    }

    /** r1: reads of the region after it was freed. */
    void grade(I_Result r) {
        r.r1 = uaf.get();
    }
}
