package io.taskscratch.mutex;

import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.region.HeaderField;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-load owner state: with a source that has regions, the spinner reads {@code on_cpu} of the
 * region the owner published (or that it looked up once per owner), with one read-side section
 * per spin episode and no per-poll call into the source.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OneLoadOwnerStateTest {
    private static final long LONG = TimeUnit.SECONDS.toNanos(30);

    /** Regions from a map; counts every call the mutex makes. */
    private static final class CountingRegions implements OwnerStateSource {
        final Map<PlatformTask, ScratchRegion> regions = new ConcurrentHashMap<>();
        final AtomicInteger regionLookups = new AtomicInteger();
        final AtomicInteger stateCalls = new AtomicInteger();
        final AtomicInteger sections = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();

        @Override
        public ScratchRegion regionOf(PlatformTask task) {
            regionLookups.incrementAndGet();
            return regions.get(task);
        }

        @Override
        public OwnerState ownerState(PlatformTask owner) {
            stateCalls.incrementAndGet();
            return OwnerState.UNKNOWN;
        }

        @Override
        public long enterRead() {
            sections.incrementAndGet();
            open.incrementAndGet();
            return 0L;
        }

        @Override
        public void exitRead(long token) {
            open.decrementAndGet();
        }

        @Override
        public String name() {
            return "counting-regions";
        }
    }

    private final RegionAllocator allocator = RegionAllocator.create(RegionLayout.defaults(), PinMode.UNPINNED);
    private final CountingRegions source = new CountingRegions();
    private final AdaptiveMutex m = AdaptiveMutex.builder(NativePlatform.instance()).stateSource(source)
            .tuning(new SpinTuning(LONG, LONG, 4, LONG, 8, true, 1)).build();

    private ScratchRegion regionFor(PlatformTask task, boolean onCpu) {
        ScratchRegion r = allocator.allocate();
        r.set(HeaderField.ON_CPU, onCpu ? 1 : 0, MemoryOrder.ACQUIRE_RELEASE);
        source.regions.put(task, r);
        return r;
    }

    @Test
    void aSpinnerBehindARunningFastPathOwnerLooksItsRegionUpOnceAndPollsItWithoutTheSource() throws Exception {
        ScratchRegion mine = regionFor(Workers.me(), true);
        m.lock(); // fast path: publishes nothing
        assertNull(m.ownerRegion());
        try (Workers w = new Workers()) {
            w.start("spinner", () -> {
                regionFor(Workers.me(), true);
                m.lock();
                m.unlock();
            });
            Workers.awaitTrue("spinner in the slot", () -> m.spinner() != null);
            Thread.sleep(50); // thousands of polls against a RUNNING owner
            assertTrue(m.spinner() != null, "still spinning: the owner's region says RUNNING");
            m.unlock();
            w.joinAll();
        }
        assertEquals(0, source.stateCalls.get(), "no per-poll ownerState call");
        assertEquals(2, source.regionLookups.get(), "one for the spinner's own region, one for the owner's");
        assertEquals(m.metrics().spins(), source.sections.get(), "one read-side section per spin episode");
        assertEquals(0, source.open.get());
        assertTrue(m.metrics().spinNanos() >= TimeUnit.MILLISECONDS.toNanos(40), m.metrics().toString());
        assertEquals(1, m.metrics().acquisitions() - 1, "the spinner got it by spinning");
        mine.close();
    }

    @Test
    void aSlowPathOwnerPublishesItsRegionUntilItReleases() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ScratchRegion[] theirs = new ScratchRegion[1];
        m.lock();
        try (Workers w = new Workers()) {
            w.start("owner", () -> {
                theirs[0] = regionFor(Workers.me(), true);
                m.lock(); // contended: the slow path publishes the region
                holding.countDown();
                release.await();
                m.unlock();
            });
            Workers.awaitContended("owner waiting", m);
            m.unlock();
            assertTrue(holding.await(Workers.LIVENESS_SECONDS, TimeUnit.SECONDS));
            assertSame(theirs[0], m.ownerRegion(), "published beside the owner");
            release.countDown();
            w.joinAll();
        }
        assertNull(m.ownerRegion(), "unpublished by the release");
    }

    @Test
    void aNotRunningOwnerIsReCheckedOnceThenTheSpinnerQueues() throws Exception {
        ScratchRegion mine = regionFor(Workers.me(), false); // the owner reads as preempted
        m.lock();
        try (Workers w = new Workers()) {
            Thread waiter = w.start("waiter", () -> {
                regionFor(Workers.me(), true);
                m.lock();
                m.unlock();
            });
            Workers.awaitParked(waiter);
            assertTrue(m.metrics().parks() >= 1, m.metrics().toString());
            assertTrue(m.metrics().spinNanos() < TimeUnit.SECONDS.toNanos(1), "did not spin on a NOT_RUNNING owner: " + m.metrics());
            m.unlock();
            w.joinAll();
        }
        mine.close();
    }

    @Test
    void aLongGapBetweenLockWordReadsEndsAtOnceWhenTheOwnerLeavesItsCpu() throws Exception {
        // 2^28 pauses between two reads of the word: seconds even at 10 ns a pause. Only the
        // per-pause read of the owner's region can end it within the bound below.
        int hugeGap = 1 << 28;
        AdaptiveMutex gapped = AdaptiveMutex.builder(NativePlatform.instance()).stateSource(source)
                .tuning(new SpinTuning(LONG, LONG, 4, LONG, 8, true, hugeGap)).build();
        gapped.seedPollGap(hugeGap);
        ScratchRegion mine = regionFor(Workers.me(), true);
        gapped.lock();
        try (Workers w = new Workers()) {
            Thread waiter = w.start("waiter", () -> {
                regionFor(Workers.me(), true);
                gapped.lock();
                gapped.unlock();
            });
            Workers.awaitTrue("waiter spinning", () -> gapped.spinner() != null);
            Thread.sleep(20); // inside its first gap
            assertEquals(0, gapped.metrics().parks());
            long offCpu = System.nanoTime();
            mine.set(HeaderField.ON_CPU, 0, MemoryOrder.ACQUIRE_RELEASE);
            Workers.awaitParked(waiter);
            long took = System.nanoTime() - offCpu;
            assertTrue(took < TimeUnit.MILLISECONDS.toNanos(500), "parked " + took + " ns after the owner left its CPU");
            assertTrue(gapped.metrics().parks() >= 1, gapped.metrics().toString());
            gapped.unlock();
            w.joinAll();
        }
        mine.close();
    }

    @Test
    void theGapGrowsWhileTheOwnerReacquiresAndShrinksWhileItHolds() {
        assertEquals(2, AdaptiveMutex.nextGap(1, 32, true));
        assertEquals(32, AdaptiveMutex.nextGap(32, 32, true), "capped");
        assertEquals(16, AdaptiveMutex.nextGap(32, 32, false));
        assertEquals(1, AdaptiveMutex.nextGap(1, 32, false), "never below one pause");
        assertEquals(1, AdaptiveMutex.nextGap(1, 1, true), "maxPollGap 1: every poll");
    }
}
