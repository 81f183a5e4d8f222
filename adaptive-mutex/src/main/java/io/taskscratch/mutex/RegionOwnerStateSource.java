package io.taskscratch.mutex;

import io.taskscratch.platform.PlatformTask;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.HeaderField;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.ScratchRegion;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * An {@link OwnerStateSource} that reads the lock owner's scratch region: RUNNING
 * when its {@code on_cpu} is set, NOT_RUNNING when clear, UNKNOWN when the owner has no region
 * or the region was freed under us. How trustworthy the answer is depends only on who writes
 * the region: the uptr hook (pinned, every write lands), a probe-write hook (lossy) or an
 * rseq-style hint; the name says which ({@link #nameFor}).
 *
 * <p>Reads happen inside a {@link Flavor#NORMAL} read-side section of the writers' rcu domain
 * ({@link #enterRead}/{@link #exitRead}, one per spin episode), so a region retired by an exiting
 * owner stays valid until the waiter is done; a region already freed throws, which reads as UNKNOWN.
 * The mutex reads {@code on_cpu} of the region {@link #regionOf} gives itself (one load per poll).
 *
 * <p>Memory ordering: {@code on_cpu} is read with an opaque load ({@link ScratchRegion#onCpu()}):
 * the spinner re-reads it every iteration and only needs a fresh, untorn value, not ordering
 * with other fields; acting on a stale answer costs time, never correctness, because the lock
 * word's CAS decides ownership.
 *
 * <p>{@link #shouldYield}: the spinner's own region says it has been on its CPU for a whole
 * {@code sliceNs} since its last switch-in ({@code now - last_switch_ns}), so the scheduler is
 * about to preempt it; it should queue and park rather than be preempted mid-spin. A slice of
 * 0 turns this off. A region that has recorded no switch since registration ({@code switches}
 * = 0) gives no advice: registration writes only {@code on_cpu} and {@code cpu} (the kernel
 * backend does the same), so its {@code last_switch_ns} is the unset 0, not the start of a slice.
 * Read as a time it would say "on the CPU since the clock's epoch" and advise a yield on every
 * iteration, which on a lossy region that never receives a write turns the mutex into
 * park-at-once (the demo's old 100 %-drop point).
 */
public final class RegionOwnerStateSource implements OwnerStateSource {
    /** Finds a task's region. */
    @FunctionalInterface
    public interface RegionResolver {
        /**
         * The region of {@code task}, or null if it registered none.
         *
         * @param task a task of the platform the mutex runs on
         * @return its region, or null
         */
        ScratchRegion regionOf(PlatformTask task);
    }

    private final String name;
    private final Rcu rcu;
    private final RegionResolver resolver;
    private final LongSupplier clock;
    private final long sliceNs;

    /**
     * @param name     the name in reports, e.g. {@code pinned}, {@code lossy-10%}, {@code rseq-50%}
     * @param rcu      the domain the region writers retire regions in
     * @param resolver task to region (sim tasks: their registration; threads: a directory)
     * @param clock    the writers' clock ({@code last_switch_ns}), e.g. the platform's nanoTime
     * @param sliceNs  time on CPU after which {@link #shouldYield} says yes; 0 for never
     */
    public RegionOwnerStateSource(String name, Rcu rcu, RegionResolver resolver, LongSupplier clock, long sliceNs) {
        this.name = Objects.requireNonNull(name, "name");
        this.rcu = Objects.requireNonNull(rcu, "rcu");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (sliceNs < 0) {
            throw new IllegalArgumentException("sliceNs " + sliceNs + ": must be >= 0");
        }
        this.sliceNs = sliceNs;
    }

    /**
     * The conventional name of a source: {@code pinned}, {@code lossy-N%} or {@code rseq-N%}.
     *
     * @param writer   {@code pinned}, {@code lossy} or {@code rseq}
     * @param dropRate the writer's drop rate in [0, 1] (ignored for pinned)
     * @return the name
     */
    public static String nameFor(String writer, double dropRate) {
        if (writer.equals("pinned")) {
            return writer;
        }
        double pct = dropRate * 100;
        String n = pct == Math.rint(pct) ? Long.toString(Math.round(pct)) : Double.toString(pct);
        return writer + "-" + n + "%";
    }

    /**
     * How this source finds a task's region; resilient mode keeps each task's held-locks table
     * there too ({@link HeldLocks.Provider#defaultFor}).
     *
     * @return the resolver given at construction
     */
    public RegionResolver resolver() {
        return resolver;
    }

    @Override
    public OwnerState ownerState(PlatformTask owner) {
        ScratchRegion r = resolver.regionOf(owner);
        if (r == null) {
            return OwnerState.UNKNOWN;
        }
        try {
            return r.onCpu() ? OwnerState.RUNNING : OwnerState.NOT_RUNNING;
        } catch (IllegalStateException freed) {
            return OwnerState.UNKNOWN;
        }
    }

    /** The resolver's answer: the mutex reads its {@code on_cpu} directly, one load per poll. */
    @Override
    public ScratchRegion regionOf(PlatformTask task) {
        return resolver.regionOf(task);
    }

    @Override
    public boolean shouldYield(PlatformTask self) {
        if (sliceNs == 0) {
            return false;
        }
        ScratchRegion r = resolver.regionOf(self);
        if (r == null) {
            return false;
        }
        try {
            // opaque: a hint like on_cpu; a torn pair of fields only delays or advances one yield
            if (r.get(HeaderField.SWITCHES, MemoryOrder.OPAQUE) == 0) {
                return false; // no switch recorded since registration: last_switch_ns is unset, not a time
            }
            return r.onCpu() && clock.getAsLong() - r.get(HeaderField.LAST_SWITCH_NS, MemoryOrder.OPAQUE) >= sliceNs;
        } catch (IllegalStateException freed) {
            return false;
        }
    }

    @Override
    public long enterRead() {
        rcu.readLock(Flavor.NORMAL);
        return 0L;
    }

    @Override
    public void exitRead(long token) {
        rcu.readUnlock(Flavor.NORMAL);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "RegionOwnerStateSource[" + name + "]";
    }
}
