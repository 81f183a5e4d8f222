package io.taskscratch.region;

import static io.taskscratch.testing.Errnos.assertErrno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.internal.os.Libc;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ScratchRegionTest {
    @Test
    void thousandThreadsPinAtMostSixteenPages() {
        RegionAllocator alloc = RegionAllocator.create(RegionLayout.defaults(), PinMode.PINNED);
        List<ScratchRegion> regions = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            regions.add(alloc.allocate());
        }
        long expected = (1000 * 64L + Libc.pageSize() - 1) / Libc.pageSize();
        RegionAllocator.Stats s = alloc.stats();
        assertEquals(expected, s.pinnedPages());
        assertTrue(s.pinnedPages() <= 16, "pinned " + s.pinnedPages());
        assertEquals(1000, s.liveRegions());
        Set<Long> pages = new HashSet<>();
        for (ScratchRegion r : regions) {
            assertTrue(r.isPinned());
            long start = r.address();
            long end = start + alloc.layout().regionSize() - 1;
            assertEquals(start & -Libc.pageSize(), end & -Libc.pageSize(), "region crosses a page boundary");
            assertEquals(0, start % 64, "regions start on a cache line");
            pages.add(r.pageId());
        }
        assertEquals(expected, pages.size());
        regions.forEach(ScratchRegion::close);
        Rcu.global().rcuBarrier();
        assertEquals(0, alloc.stats().liveRegions());
        assertTrue(alloc.stats().pinnedPages() <= 1, "empty slabs are freed except one spare");
    }

    @Test
    void pinningFailureNamesTheLimitAndTheWayOut() {
        MemoryLocker failing = new MemoryLocker() {
            @Override
            public int lock(MemorySegment pages) {
                return Errno.EAGAIN.code();
            }

            @Override
            public int unlock(MemorySegment pages) {
                return 0;
            }
        };
        RegionAllocator alloc = RegionAllocator.create(RegionLayout.defaults(), PinMode.PINNED, failing);
        assertErrno(Errno.EAGAIN, "RLIMIT_MEMLOCK", alloc::allocate);
        var e = assertThrows(io.taskscratch.ScratchException.class, alloc::allocate);
        for (String part : List.of("ulimit -l", "limits.conf", "CAP_IPC_LOCK", "UNPINNED", "soft")) {
            assertTrue(e.getMessage().contains(part), part + " missing: " + e.getMessage());
        }
        assertEquals(0, alloc.stats().slabs(), "a refused allocation changes nothing");
        RegionAllocator eperm = RegionAllocator.create(RegionLayout.defaults(), PinMode.PINNED, new MemoryLocker() {
            @Override
            public int lock(MemorySegment pages) {
                return 1;
            }

            @Override
            public int unlock(MemorySegment pages) {
                return 0;
            }
        });
        assertErrno(Errno.EPERM, "RLIMIT_MEMLOCK", eperm::allocate);
    }

    @Test
    void unpinnedModeReportsUnpinned() {
        RegionAllocator alloc = RegionAllocator.create(RegionLayout.defaults(), PinMode.UNPINNED);
        ScratchRegion r = alloc.allocate();
        assertFalse(r.isPinned());
        assertEquals(0, alloc.stats().pinnedPages());
        r.close();
    }

    @Test
    void newRegionIsZeroWithAbiVersion() {
        ScratchRegion r = RegionAllocator.create(RegionLayout.defaults(), PinMode.PINNED).allocate();
        HeaderSnapshot s = r.snapshot();
        assertEquals(new HeaderSnapshot(0, RegionAbi.ABI_VERSION, false, 0, 0, 0, 0, 0), s);
        assertEquals(RegionAbi.ABI_VERSION, r.abiVersion());
        r.close();
    }

    @Test
    void headerAccessorsInEveryOrdering() {
        ScratchRegion r = RegionAllocator.create(RegionLayout.defaults(), PinMode.PINNED).allocate();
        long v = 1;
        for (MemoryOrder o : MemoryOrder.values()) {
            for (HeaderField f : HeaderField.values()) {
                if (f.isWritable()) {
                    long value = f.size() == 4 ? (0xFFFF_FFF0L + v) & 0xFFFF_FFFFL : Long.MAX_VALUE - v;
                    r.set(f, value, o);
                    assertEquals(value, r.get(f, o), f + " " + o);
                    v++;
                }
            }
        }
        r.set(HeaderField.ON_CPU, 1, MemoryOrder.OPAQUE);
        assertTrue(r.onCpu());
        assertThrows(IllegalArgumentException.class, () -> r.set(HeaderField.SEQ, 3, MemoryOrder.PLAIN));
        assertThrows(IllegalArgumentException.class, () -> r.set(HeaderField.ABI_VERSION, 3, MemoryOrder.PLAIN));
        r.close();
    }

    @Test
    void keyAccessorsInEveryOrdering() {
        RegionLayout layout = RegionLayout.builder().staticKey("b", 1).staticKey("s", 2).staticKey("i", 4)
                .staticKey("l", 8).staticKey("rgb", 3).build();
        ScratchRegion r = RegionAllocator.create(layout, PinMode.PINNED).allocate();
        for (MemoryOrder o : MemoryOrder.values()) {
            r.putByte(layout.key("b"), (byte) -3, o);
            r.putShort(layout.key("s"), (short) -300, o);
            r.putInt(layout.key("i"), o.ordinal() - 7, o);
            r.putLong(layout.key("l"), Long.MIN_VALUE + o.ordinal(), o);
            assertEquals(-3, r.getByte(layout.key("b"), o));
            assertEquals(-300, r.getShort(layout.key("s"), o));
            assertEquals(o.ordinal() - 7, r.getInt(layout.key("i"), o));
            assertEquals(Long.MIN_VALUE + o.ordinal(), r.getLong(layout.key("l"), o));
        }
        r.putBytes(layout.key("rgb"), new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, r.getBytes(layout.key("rgb")));
        var wrongWidth = assertThrows(IllegalArgumentException.class, () -> r.getInt(layout.key("rgb"), MemoryOrder.PLAIN));
        assertTrue(wrongWidth.getMessage().contains("rgb"));
        Key foreign = RegionLayout.defaults().createKey("i", 4);
        assertThrows(IllegalArgumentException.class, () -> r.getInt(foreign, MemoryOrder.PLAIN));
        assertThrows(IllegalArgumentException.class, () -> r.putBytes(layout.key("rgb"), new byte[2]));
        r.close();
    }

    @Test
    void dynamicKeyCreatedAfterAllocationReadsZero() {
        RegionLayout layout = RegionLayout.defaults();
        ScratchRegion r = RegionAllocator.create(layout, PinMode.PINNED).allocate();
        Key k = layout.createKey("late", 8);
        assertEquals(0, r.getLong(k, MemoryOrder.PLAIN));
        r.putLong(k, 42, MemoryOrder.PLAIN);
        assertEquals(42, r.getLong(k, MemoryOrder.PLAIN));
        r.close();
    }

    @Test
    void freedExactlyOnceAndAccessAfterFreeThrows() {
        RegionLayout layout = RegionLayout.builder().staticKey("k", 4).build();
        RegionAllocator alloc = RegionAllocator.create(layout, PinMode.PINNED);
        ScratchRegion r = alloc.allocate();
        r.close();
        assertTrue(r.isFreed());
        IllegalStateException twice = assertThrows(IllegalStateException.class, r::close);
        assertTrue(twice.getMessage().contains("already freed"));
        IllegalStateException read = assertThrows(IllegalStateException.class, r::onCpu);
        assertTrue(read.getMessage().contains("access after free"), read.getMessage());
        assertThrows(IllegalStateException.class, r::snapshot);
        assertThrows(IllegalStateException.class, r::beginWrite);
        assertThrows(IllegalStateException.class, () -> r.putInt(layout.key("k"), 1, MemoryOrder.PLAIN));
        assertThrows(IllegalStateException.class, () -> r.getBytes(layout.key("k")));
        assertThrows(IllegalStateException.class, () -> r.set(HeaderField.CPU, 1, MemoryOrder.VOLATILE));
    }

    @Test
    void slotIsReusedOnlyAfterAGracePeriodAndZeroed() throws Exception {
        RegionLayout layout = RegionLayout.builder().dynamicBudget(Math.toIntExact(Libc.pageSize() - 40)).build();
        assertEquals(1, layout.regionsPerPage());
        RegionAllocator alloc = RegionAllocator.create(layout, PinMode.PINNED);
        ScratchRegion first = alloc.allocate();
        long address = first.address();
        first.set(HeaderField.CPU, 7, MemoryOrder.PLAIN);
        Rcu.global().readLock(Flavor.TASKS_TRACE);
        try {
            first.close();
            ScratchRegion second = alloc.allocate();
            assertTrue(second.address() != address, "slot handed out again inside a grace period");
            assertEquals(1, alloc.stats().awaitingGracePeriod());
            second.close();
        } finally {
            Rcu.global().readUnlock(Flavor.TASKS_TRACE);
        }
        Rcu.global().rcuBarrier();
        ScratchRegion third = alloc.allocate();
        assertEquals(0, third.get(HeaderField.CPU, MemoryOrder.PLAIN), "reused slot is zeroed");
        assertEquals(RegionAbi.ABI_VERSION, third.abiVersion());
        third.close();
    }

    /** The invariant the writers below keep: last_switch_ns = 3 * switches, cpu = switches & 0xFFFF. */
    private static boolean consistent(HeaderSnapshot s) {
        return (s.seq() & 1) == 0 && s.lastSwitchNs() == s.switches() * 3 && s.cpu() == (s.switches() & 0xFFFF);
    }

    /** Negative control: a reader that ignores the seqcount, as a broken snapshot would. */
    private static HeaderSnapshot readIgnoringSeq(ScratchRegion r) {
        return new HeaderSnapshot((int) r.get(HeaderField.SEQ, MemoryOrder.PLAIN), r.abiVersion(), r.onCpu(),
                (int) r.get(HeaderField.CPU, MemoryOrder.PLAIN), r.get(HeaderField.SWITCHES, MemoryOrder.PLAIN),
                r.get(HeaderField.LAST_SWITCH_NS, MemoryOrder.PLAIN), 0, 0);
    }

    @Test
    void snapshotWaitsForAWriterMidUpdateWhereABrokenReaderTears() throws Exception {
        ScratchRegion r = RegionAllocator.create(RegionLayout.defaults(), PinMode.PINNED).allocate();
        int token = r.beginWrite();
        r.set(HeaderField.SWITCHES, 1, MemoryOrder.PLAIN);
        r.set(HeaderField.CPU, 1, MemoryOrder.PLAIN); // last_switch_ns still 0: mid-update
        assertFalse(consistent(readIgnoringSeq(r)), "the checker catches the broken reader");
        AtomicReference<HeaderSnapshot> seen = new AtomicReference<>();
        Thread reader = new Thread(() -> seen.set(r.snapshot()));
        reader.start();
        reader.join(50);
        assertEquals(null, seen.get(), "snapshot returned while seq was odd");
        r.set(HeaderField.LAST_SWITCH_NS, 3, MemoryOrder.PLAIN);
        r.endWrite(token);
        reader.join();
        assertTrue(consistent(seen.get()), seen.get().toString());
        r.close();
    }

    @Test
    void snapshotNeverSeesATornUpdate() throws Exception {
        ScratchRegion r = RegionAllocator.create(RegionLayout.defaults(), PinMode.PINNED).allocate();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (long i = 1; !stop.get(); i++) {
                int t = r.beginWrite();
                r.set(HeaderField.CPU, i & 0xFFFF, MemoryOrder.PLAIN);
                r.set(HeaderField.SWITCHES, i, MemoryOrder.PLAIN);
                r.set(HeaderField.LAST_SWITCH_NS, i * 3, MemoryOrder.PLAIN);
                r.endWrite(t);
            }
        });
        writer.start();
        AtomicReference<String> bad = new AtomicReference<>();
        for (int n = 0; n < 200_000 && bad.get() == null; n++) {
            HeaderSnapshot s = r.snapshot();
            if (!consistent(s)) {
                bad.set(s.toString());
            }
        }
        stop.set(true);
        writer.join();
        assertEquals(null, bad.get());
        assertThrows(IllegalArgumentException.class, () -> r.endWrite(2));
        r.close();
    }

    @Test
    void slabAllocationFailureIsEnomemAndLosesNothing() {
        boolean[] fail = {true};
        RegionAllocator alloc = RegionAllocator.create(RegionLayout.defaults(), PinMode.UNPINNED, MemoryLocker.system(),
                (arena, pageSize) -> {
                    if (fail[0]) {
                        throw new OutOfMemoryError("simulated: no native memory");
                    }
                    return arena.allocate(pageSize, pageSize);
                });
        assertErrno(Errno.ENOMEM, "out of memory", alloc::allocate);
        assertEquals(new RegionAllocator.Stats(0, 0, 0, 0), alloc.stats(), "a refused allocation changes nothing");
        fail[0] = false;
        ScratchRegion r = alloc.allocate();
        assertEquals(1, alloc.stats().liveRegions(), "the allocator still works afterwards");
        r.close();
    }
}
