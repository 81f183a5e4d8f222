package io.taskscratch.mutex;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.Key;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAbi;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link RegionHeldLocks}: layout, lifetime, providers, and reads of freed regions. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RegionHeldLocksTest {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private static RegionAllocator allocator() {
        return RegionAllocator.create(RegionHeldLocks.reserve(RegionLayout.builder()).build(), PinMode.UNPINNED);
    }

    /** Regions the test hands out itself, by Java thread, and resilient locks whose tables live there. */
    private static final class ThreadRegions {
        final RegionAllocator alloc = allocator();
        final Map<Thread, ScratchRegion> regions = new ConcurrentHashMap<>();
        final HeldLocks.Provider tables = RegionHeldLocks.forTasks(NativePlatform.instance(),
                t -> t instanceof NativePlatform.ThreadTask tt ? regions.get(tt.thread()) : null);

        /** Gives the calling thread a region of its own. */
        ScratchRegion enter() {
            ScratchRegion r = alloc.allocate(TaskHandle.current());
            regions.put(Thread.currentThread(), r);
            return r;
        }

        AdaptiveMutex newLock() {
            return resilient(tables, 100);
        }
    }

    private static AdaptiveMutex resilient(HeldLocks.Provider tables, long timeoutMillis) {
        return AdaptiveMutex.builder(NativePlatform.instance()).resilient(tables)
                .resilientTimeout(timeoutMillis, TimeUnit.MILLISECONDS).build();
    }

    /** Reads a table the way a tool that knows only the documented layout would: raw acquire loads. */
    private static long[] readRaw(ScratchRegion region) {
        MemorySegment s = region.segment();
        long base = RegionHeldLocks.tableKey(region.layout()).offset();
        int count = (int) INT.getAcquire(s, base + RegionHeldLocks.COUNT_OFFSET);
        long[] ids = new long[Math.min(count, HeldLocks.CAPACITY)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (long) LONG.getAcquire(s, base + RegionHeldLocks.ENTRIES_OFFSET + (long) i * RegionHeldLocks.ENTRY_SIZE);
        }
        assertEquals(0, (int) INT.getAcquire(s, base + RegionHeldLocks.RESERVED_OFFSET), "reserved word");
        return ids;
    }

    @Test
    void theLayoutIsACountAndThirtyOneIdsRightAfterTheHeader() {
        assertEquals(256, RegionHeldLocks.TABLE_SIZE);
        assertEquals(RegionAbi.HEADER_SIZE, RegionHeldLocks.OFFSET_AFTER_HEADER);
        RegionLayout reserved = RegionHeldLocks.reserve(RegionLayout.builder()).build();
        Key k = RegionHeldLocks.tableKey(reserved);
        assertEquals(RegionHeldLocks.OFFSET_AFTER_HEADER, k.offset(), "first static key");
        assertFalse(k.isDynamic());
        assertEquals(0, k.offset() % 8);

        RegionLayout roomy = RegionLayout.builder().dynamicBudget(RegionHeldLocks.TABLE_SIZE).build();
        Key d = RegionHeldLocks.tableKey(roomy);
        assertTrue(d.isDynamic(), "created from the dynamic budget");
        assertEquals(RegionHeldLocks.OFFSET_AFTER_HEADER, d.offset(), "first dynamic key of a layout without static keys");
        assertSame(d, RegionHeldLocks.tableKey(roomy), "created once");

        ScratchException full = assertThrows(ScratchException.class, () -> RegionHeldLocks.tableKey(RegionLayout.defaults()));
        assertEquals(Errno.E2BIG, full.errno());
        assertTrue(full.getMessage().contains(RegionHeldLocks.KEY_NAME), full.getMessage());
        RegionLayout wrong = RegionLayout.builder().staticKey(RegionHeldLocks.KEY_NAME, 8).build();
        ScratchException bad = assertThrows(ScratchException.class, () -> RegionHeldLocks.tableKey(wrong));
        assertEquals(Errno.EINVAL, bad.errno());
        assertTrue(bad.getMessage().contains("256 bytes"), bad.getMessage());
    }

    @Test
    void oneTablePerRegionAndNoneForAFreedOne() {
        RegionAllocator alloc = allocator();
        ScratchRegion r = alloc.allocate();
        ScratchRegion other = alloc.allocate();
        assertSame(RegionHeldLocks.of(r), RegionHeldLocks.of(r));
        assertNotSame(RegionHeldLocks.of(r), RegionHeldLocks.of(other));
        assertEquals(r.id(), RegionHeldLocks.of(r).regionId());
        other.close();
        ScratchException e = assertThrows(ScratchException.class, () -> RegionHeldLocks.of(other));
        assertEquals(Errno.EBADF, e.errno());
        assertThrows(ScratchException.class, () -> RegionHeldLocks.perThread(RegionAllocator.create(
                RegionLayout.defaults(), PinMode.UNPINNED)), "a per-thread provider without room is refused at once");
    }

    @Test
    void anotherThreadReadsTheOwnersTableInItsRegionAtTheDocumentedOffsets() throws Exception {
        ThreadRegions tr = new ThreadRegions();
        HeldLocks.Provider tables = tr.tables;
        AdaptiveMutex a = tr.newLock();
        AdaptiveMutex b = tr.newLock();
        AdaptiveMutex c = tr.newLock();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch outOfOrder = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        ScratchRegion[] ownerRegion = new ScratchRegion[1];
        try (Workers w = new Workers()) {
            w.start("owner", () -> {
                ownerRegion[0] = tr.enter();
                a.lock();
                b.lock();
                c.lock();
                assertInstanceOf(RegionHeldLocks.class, tables.current());
                holding.countDown();
                outOfOrder.await();
                b.unlock();
                released.countDown();
                done.await();
                a.unlock();
                c.unlock();
            });
            assertTrue(holding.await(Workers.LIVENESS_SECONDS, TimeUnit.SECONDS));
            assertEquals(List.of(a.id(), b.id(), c.id()), asList(readRaw(ownerRegion[0])));
            outOfOrder.countDown();
            assertTrue(released.await(Workers.LIVENESS_SECONDS, TimeUnit.SECONDS));
            assertEquals(List.of(a.id(), c.id()), asList(readRaw(ownerRegion[0])), "out-of-order release shifted c down");
            done.countDown();
            w.joinAll();
        }
        assertEquals(List.of(), asList(readRaw(ownerRegion[0])));
    }

    private static List<Long> asList(long[] ids) {
        List<Long> l = new ArrayList<>();
        for (long id : ids) {
            l.add(id);
        }
        return l;
    }

    @Test
    void aFreedRegionReadsAsAnEmptyTableAndRefusesTheOwnersWrites() {
        ScratchRegion r = allocator().allocate();
        RegionHeldLocks t = RegionHeldLocks.of(r);
        t.push(11);
        t.push(12);
        r.close();
        t.enterRead();
        try {
            assertEquals(0, t.count());
            assertEquals(HeldLocks.EMPTY, t.entry(0));
            assertFalse(t.contains(11, 2));
        } finally {
            t.exitRead();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.push(13));
        assertTrue(e.getMessage().contains("region #" + r.id()), e.getMessage());
    }

    @Test
    void aThreadsRegionIsFreedAfterTheThreadExits() throws Exception {
        RegionAllocator alloc = allocator();
        HeldLocks.Provider tables = RegionHeldLocks.perThread(alloc);
        AdaptiveMutex m = resilient(tables, 100);
        try (Workers w = new Workers()) {
            w.start("short-lived", () -> {
                m.lock();
                assertInstanceOf(RegionHeldLocks.class, tables.current());
                assertEquals(1, tables.current().count());
                m.unlock();
            });
            w.joinAll();
        }
        assertEquals(1, alloc.stats().liveRegions() + alloc.stats().awaitingGracePeriod());
        Workers.awaitTrue("the exited thread's region freed", () -> {
            TaskHandle.reap();
            return alloc.stats().liveRegions() == 0;
        });
    }

    /**
     * The owner of A waits for B (its table says [A, B]) while we hold B: ABBA, DEADLOCK. Once the
     * owner has exited and its region is freed, the same check must not crash and must not report
     * DEADLOCK, not even when the freed slot is recycled for another task whose table holds
     * exactly [A, B] at the same address: it ends in TIMEOUT.
     */
    @Test
    void aFreedOrRecycledOwnerRegionNeverGivesAFalseDeadlock() throws Exception {
        ThreadRegions tr = new ThreadRegions();
        HeldLocks.Provider tables = tr.tables;
        AdaptiveMutex a = tr.newLock();
        AdaptiveMutex b = tr.newLock();
        tr.enter();
        ScratchRegion[] ownerRegion = new ScratchRegion[1];
        CountDownLatch waitingForB = new CountDownLatch(1);
        CountDownLatch exit = new CountDownLatch(1);
        try (Workers w = new Workers()) {
            w.start("owner-of-a", () -> {
                ownerRegion[0] = tr.enter();
                a.lock();
                tables.current().push(b.id()); // what acquiring B records while it waits
                waitingForB.countDown();
                exit.await(); // then exits, still owning A
            });
            assertTrue(waitingForB.await(Workers.LIVENESS_SECONDS, TimeUnit.SECONDS));
            b.lock();
            assertEquals(AcquireResult.DEADLOCK, a.acquire(), "control: the live owner's table shows the cycle");
            exit.countDown();
            w.joinAll();
        }
        long address = ownerRegion[0].segment().address();
        ownerRegion[0].close();
        assertEquals(AcquireResult.TIMEOUT, a.acquire(), "freed: read as an empty table");

        Rcu.global().rcuBarrier(); // the slot is zeroed and free again
        ScratchRegion recycled = tr.alloc.allocate();
        assertEquals(address, recycled.segment().address(), "the same slot, handed to another task");
        RegionHeldLocks stranger = RegionHeldLocks.of(recycled);
        stranger.push(a.id());
        stranger.push(b.id());
        assertEquals(AcquireResult.TIMEOUT, a.acquire(), "recycled: never read through the old region");
        assertEquals(2, a.metrics().timeouts());
        assertEquals(1, a.metrics().deadlocks());
        b.unlock();
        assertEquals(0, tables.current().count());
    }
}
