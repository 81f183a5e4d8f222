package io.taskscratch.mutex;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resilient mode (rqspinlock semantics), with the docs/design.md §13 properties, against both kinds of
 * held-locks table: on the heap and in a per-thread scratch region.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResilientModeTest {
    /** The two table providers; one instance each for the whole class, as locks must share them. */
    enum Tables {
        HEAP(HeldLocks.Provider.perThread()),
        REGION(RegionHeldLocks.perThread(RegionAllocator.create(
                RegionHeldLocks.reserve(RegionLayout.builder()).build(), PinMode.UNPINNED)));

        final HeldLocks.Provider provider;

        Tables(HeldLocks.Provider provider) {
            this.provider = provider;
        }

        HeldLocks current() {
            return provider.current();
        }
    }

    private static AdaptiveMutex resilient(Tables tables, long timeoutMillis) {
        return AdaptiveMutex.builder(NativePlatform.instance())
                .resilient(tables.provider)
                .resilientTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .build();
    }

    @ParameterizedTest
    @EnumSource(Tables.class)
    void aaIsADeadlockAtOnceAndChangesNothing(Tables tables) {
        AdaptiveMutex a = resilient(tables, TimeUnit.HOURS.toMillis(1));
        assertEquals(AcquireResult.OK, a.acquire());
        assertEquals(1, tables.current().count());
        assertEquals(AcquireResult.DEADLOCK, a.acquire());
        ScratchException e = assertThrows(ScratchException.class, a::lock);
        assertEquals(Errno.EDEADLK, e.errno());
        assertEquals(1, tables.current().count(), "a failed acquire leaves no table entry");
        assertEquals(AdaptiveMutex.LOCKED, a.stateBits());
        assertTrue(a.isHeldByCurrentTask());
        a.unlock();
        assertEquals(0, tables.current().count());
        assertEquals(0, a.stateBits());
        assertEquals(2, a.metrics().deadlocks());
    }

    @ParameterizedTest
    @EnumSource(Tables.class)
    void abbaIsDetectedAsADeadlockNotATimeout(Tables tables) throws Exception {
        AdaptiveMutex a = resilient(tables, TimeUnit.HOURS.toMillis(1));
        AdaptiveMutex b = resilient(tables, TimeUnit.HOURS.toMillis(1));
        CyclicBarrier bothHold = new CyclicBarrier(2);
        List<AcquireResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Workers w = new Workers()) {
            w.start("AB", () -> crossLock(tables, a, b, bothHold, results));
            w.start("BA", () -> crossLock(tables, b, a, bothHold, results));
            w.joinAll();
        }
        assertTrue(results.contains(AcquireResult.DEADLOCK), "ABBA not detected: " + results);
        assertFalse(results.contains(AcquireResult.TIMEOUT), results.toString());
        assertEquals(0, a.stateBits());
        assertEquals(0, b.stateBits());
    }

    private static void crossLock(Tables tables, AdaptiveMutex first, AdaptiveMutex second, CyclicBarrier bothHold,
                           List<AcquireResult> results) throws Exception {
        assertEquals(AcquireResult.OK, first.acquire());
        bothHold.await();
        AcquireResult r = second.acquire();
        results.add(r);
        if (r == AcquireResult.OK) {
            assertEquals(2, tables.current().count());
            second.unlock();
        } else {
            assertEquals(1, tables.current().count(), "the failed attempt was rolled back");
        }
        first.unlock();
        assertEquals(0, tables.current().count());
    }

    @ParameterizedTest
    @EnumSource(Tables.class)
    void abBaFromTwoThreadsTenThousandRoundsNeverHangs(Tables tables) throws Exception {
        AdaptiveMutex a = resilient(tables, 250);
        AdaptiveMutex b = resilient(tables, 250);
        int rounds = 10_000;
        Map<AcquireResult, AtomicInteger> outcomes = new EnumMap<>(AcquireResult.class);
        for (AcquireResult r : AcquireResult.values()) {
            outcomes.put(r, new AtomicInteger());
        }
        AtomicBoolean overlap = new AtomicBoolean();
        AtomicInteger insideBoth = new AtomicInteger();
        AtomicInteger arrived = new AtomicInteger(); // a spinning barrier: both start a round together
        AtomicInteger holdingFirst = new AtomicInteger(); // second rendezvous: both hold their first lock
        try (Workers w = new Workers()) {
            for (int t = 0; t < 2; t++) {
                AdaptiveMutex first = t == 0 ? a : b;
                AdaptiveMutex second = t == 0 ? b : a;
                w.start(t == 0 ? "AB" : "BA", () -> {
                    for (int i = 0; i < rounds; i++) {
                        arrived.incrementAndGet();
                        awaitCount(arrived, 2 * (i + 1));
                        AcquireResult r1 = first.acquire();
                        outcomes.get(r1).incrementAndGet();
                        // Wait until the other thread holds its first lock too, so every round
                        // really is AB against BA however the (loaded) machine schedules us.
                        holdingFirst.incrementAndGet();
                        awaitCount(holdingFirst, 2 * (i + 1));
                        if (r1 != AcquireResult.OK) {
                            continue;
                        }
                        AcquireResult r2 = second.acquire();
                        outcomes.get(r2).incrementAndGet();
                        if (r2 == AcquireResult.OK) {
                            if (insideBoth.incrementAndGet() != 1) {
                                overlap.set(true);
                            }
                            insideBoth.decrementAndGet();
                            second.unlock();
                        }
                        first.unlock();
                        if (tables.current().count() != 0) {
                            throw new AssertionError("table not clean after round " + i + ": " + tables.current());
                        }
                    }
                });
            }
            w.joinAll(100); // 10 000 rounds on a loaded 2-core machine
        }
        assertFalse(overlap.get());
        assertTrue(outcomes.get(AcquireResult.OK).get() >= rounds, outcomes.toString());
        // Every round both threads held their first lock before asking for the second: each round
        // must end in at least one DEADLOCK (or a TIMEOUT), never in both holding both.
        assertTrue(outcomes.get(AcquireResult.DEADLOCK).get() + outcomes.get(AcquireResult.TIMEOUT).get() >= rounds,
                "every round is a real AB/BA: " + outcomes);
        assertEquals(0, a.stateBits());
        assertEquals(0, b.stateBits());
        assertEquals(outcomes.get(AcquireResult.DEADLOCK).get(), a.metrics().deadlocks() + b.metrics().deadlocks());
        assertEquals(outcomes.get(AcquireResult.TIMEOUT).get(), a.metrics().timeouts() + b.metrics().timeouts());
    }

    @ParameterizedTest
    @EnumSource(Tables.class)
    void aLongHoldEndsInTimeoutWithEverythingRolledBack(Tables tables) throws Exception {
        AdaptiveMutex a = resilient(tables, 30);
        try (Workers w = new Workers()) {
            CountDownLatch release = w.holdElsewhere(a);
            assertEquals(AcquireResult.TIMEOUT, a.acquire());
            ScratchException e = assertThrows(ScratchException.class, a::lock);
            assertEquals(Errno.ETIMEDOUT, e.errno());
            assertTrue(e.getMessage().contains("resilient bound"), e.getMessage());
            assertFalse(a.tryLock(1, TimeUnit.HOURS), "tryLock with a timeout is bounded by the resilient bound too");
            assertEquals(0, tables.current().count());
            assertEquals(AdaptiveMutex.LOCKED, a.stateBits(), "no waiter or hand-off request left behind");
            assertEquals(3, a.metrics().timeouts());
            release.countDown();
            w.joinAll();
        }
        assertEquals(AcquireResult.OK, a.acquire(), "the next uncontended acquire succeeds");
        a.unlock();
        assertEquals(0, tables.current().count());
    }

    @ParameterizedTest
    @EnumSource(Tables.class)
    void thirtyFourNestedLocksThenSelfAaIsStillAnImmediateDeadlock(Tables tables) {
        List<AdaptiveMutex> locks = new ArrayList<>();
        for (int i = 0; i < 34; i++) {
            AdaptiveMutex m = resilient(tables, 50);
            assertEquals(AcquireResult.OK, m.acquire());
            locks.add(m);
        }
        HeldLocks mine = tables.current();
        assertEquals(34, mine.count(), "the count keeps going past the capacity");
        assertEquals(locks.get(HeldLocks.CAPACITY - 1).id(), mine.entry(HeldLocks.CAPACITY - 1));
        assertEquals(HeldLocks.EMPTY, mine.entry(HeldLocks.CAPACITY), "entries past the capacity are not shared");
        assertFalse(mine.contains(locks.get(33).id(), 34));
        // rqspinlock's selftest expects "34 nested locks then self-AA gives TIMEOUT",
        // because the kernel finds AA by searching its 31-entry table. Ours is exact, from the
        // owner field: DEADLOCK at once, for the 34th lock (not in the table) as for the 1st.
        assertEquals(AcquireResult.DEADLOCK, locks.get(33).acquire());
        assertEquals(AcquireResult.DEADLOCK, locks.get(0).acquire());
        assertEquals(0, locks.get(33).metrics().timeouts(), "no wait for the resilient bound");
        assertEquals(1, locks.get(33).metrics().deadlocks());
        assertEquals(34, mine.count());
        for (int i = 33; i >= 0; i--) {
            locks.get(i).unlock();
        }
        assertEquals(0, tables.current().count());
        for (AdaptiveMutex m : locks) {
            assertEquals(0, m.stateBits());
        }
    }

    @ParameterizedTest
    @EnumSource(Tables.class)
    void abbaBeyondTheTableCapacityFallsBackToTimeout(Tables tables) throws Exception {
        AdaptiveMutex x = resilient(tables, 100);
        AdaptiveMutex y = resilient(tables, 100);
        List<AdaptiveMutex> filler = new ArrayList<>();
        for (int i = 0; i < HeldLocks.CAPACITY; i++) {
            filler.add(resilient(tables, 100));
        }
        CyclicBarrier bothHold = new CyclicBarrier(2);
        AtomicReference<AcquireResult> deep = new AtomicReference<>();
        AtomicReference<AcquireResult> shallow = new AtomicReference<>();
        try (Workers w = new Workers()) {
            w.start("deep", () -> {
                for (AdaptiveMutex f : filler) {
                    f.lock();
                }
                x.lock(); // entry 32: not recorded
                bothHold.await();
                deep.set(y.acquire());
                if (deep.get() == AcquireResult.OK) {
                    y.unlock();
                }
                x.unlock();
                for (int i = filler.size() - 1; i >= 0; i--) {
                    filler.get(i).unlock();
                }
                assertEquals(0, tables.current().count());
            });
            w.start("shallow", () -> {
                y.lock();
                bothHold.await();
                shallow.set(x.acquire());
                if (shallow.get() == AcquireResult.OK) {
                    x.unlock();
                }
                y.unlock();
            });
            w.joinAll();
        }
        // At least one side must give up, and neither can prove the deadlock.
        assertTrue(deep.get() == AcquireResult.TIMEOUT || shallow.get() == AcquireResult.TIMEOUT,
                deep.get() + " / " + shallow.get());
        assertTrue(deep.get() != AcquireResult.DEADLOCK && shallow.get() != AcquireResult.DEADLOCK,
                deep.get() + " / " + shallow.get());
        assertEquals(0, x.stateBits());
        assertEquals(0, y.stateBits());
    }

    @ParameterizedTest
    @EnumSource(Tables.class)
    void outOfOrderReleaseKeepsTheTableConsistent(Tables tables) {
        AdaptiveMutex a = resilient(tables, 50);
        AdaptiveMutex b = resilient(tables, 50);
        AdaptiveMutex c = resilient(tables, 50);
        a.lock();
        b.lock();
        c.lock();
        b.unlock();
        assertEquals(2, tables.current().count());
        assertEquals(a.id(), tables.current().entry(0));
        assertEquals(c.id(), tables.current().entry(1), "the entries above the released one moved down");
        assertEquals(HeldLocks.EMPTY, tables.current().entry(2));
        a.unlock();
        c.unlock();
        assertEquals(0, tables.current().count());
    }

    @ParameterizedTest
    @EnumSource(Tables.class)
    void conditionsWorkInResilientModeAndKeepTheTableRight(Tables tables) throws Exception {
        AdaptiveMutex a = resilient(tables, 50);
        var cond = a.newCondition();
        a.lock();
        assertFalse(cond.await(1, TimeUnit.MILLISECONDS));
        assertEquals(1, tables.current().count());
        a.unlock();
        assertEquals(0, tables.current().count());
    }

    @Test
    void resilientTimeoutMustBePositive() {
        ScratchException e = assertThrows(ScratchException.class,
                () -> AdaptiveMutex.builder(NativePlatform.instance()).resilientTimeout(0, TimeUnit.SECONDS));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("resilientTimeout"), e.getMessage());
    }

    /** Spin, then yield, until {@code counter} reaches {@code target}: a two-party barrier with no lock. */
    private static void awaitCount(AtomicInteger counter, int target) {
        for (int spins = 0; counter.get() < target; spins++) {
            if (spins < 10_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }
}
