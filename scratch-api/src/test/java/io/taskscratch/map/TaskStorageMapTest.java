package io.taskscratch.map;

import static io.taskscratch.testing.Errnos.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.internal.os.Libc;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.region.UptrTarget;
import io.taskscratch.region.UserMemory;
import io.taskscratch.task.TaskHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskStorageMapTest {
    static final RegionLayout LAYOUT = RegionLayout.defaults();
    static final PointeeType SCRATCH = PointeeType.of(LAYOUT);
    static final ValueType VALUE = ValueType.singleUptr("udata", SCRATCH);
    static final long PAGE = Libc.pageSize();

    private final RegionAllocator alloc = RegionAllocator.create(LAYOUT, PinMode.PINNED);
    private final TaskStorageMap map = TaskStorageMap.create("sched", MapSpec.taskStorage(VALUE));
    private final TaskHandle task = TaskHandle.simulated("worker-1");
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void tearDown() {
        map.close();
        arena.close();
    }

    private MapValue value(Object target) {
        MapValue v = map.newValue();
        if (target instanceof ScratchRegion r) {
            v.setUptr("udata", r);
        } else if (target instanceof UserMemory u) {
            v.setUptr("udata", u);
        }
        return v;
    }

    @Test
    void thousandRegisteredTasksPinAtMostSixteenPages() {
        RegionAllocator own = RegionAllocator.create(LAYOUT, PinMode.PINNED);
        List<TaskHandle> tasks = new ArrayList<>();
        List<ScratchRegion> regions = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            TaskHandle t = TaskHandle.simulated("t" + i);
            regions.add(own.allocate(t));
            map.update(t, value(regions.getLast()), MapFlags.NOEXIST);
            tasks.add(t);
        }
        assertEquals(1000, map.size());
        assertEquals((1000 * 64 + PAGE - 1) / PAGE, own.stats().pinnedPages());
        assertTrue(own.stats().pinnedPages() <= 16 || PAGE != 4096, "pinned " + own.stats());
        tasks.forEach(TaskHandle::exit);
        assertEquals(0, map.size());
        regions.forEach(ScratchRegion::close); // task exit unpinned them at once
    }

    // ---- create ----

    @Test
    void createRefusesWrongTypeFlagsEntriesKeyAndValueSizes() {
        MapSpec ok = MapSpec.taskStorage(VALUE);
        assertErrno(Errno.EOPNOTSUPP, "HASH", () -> TaskStorageMap.create("m", ok.withType(MapType.HASH)));
        ValueType plain = ValueType.builder(8).build();
        assertErrno(Errno.EINVAL, "ARRAY", () -> TaskStorageMap.create("m", MapSpec.taskStorage(plain).withType(MapType.ARRAY)));
        assertErrno(Errno.EINVAL, "flags 0x0", () -> TaskStorageMap.create("m", ok.withFlags(0)));
        assertErrno(Errno.EINVAL, "flags 0x9", () -> TaskStorageMap.create("m", ok.withFlags(MapFlags.NO_PREALLOC | 8)));
        TaskStorageMap.create("m", ok.withFlags(MapFlags.NO_PREALLOC | MapFlags.CLONE)).close();
        assertErrno(Errno.EINVAL, "max_entries 1", () -> TaskStorageMap.create("m", ok.withMaxEntries(1)));
        assertErrno(Errno.EINVAL, "key size 8", () -> TaskStorageMap.create("m", ok.withKeySize(8)));
        assertErrno(Errno.EINVAL, "value size 0", () -> TaskStorageMap.create("m", MapSpec.taskStorage(ValueType.builder(0).build())));
        int max = MapFlags.MAX_VALUE_SIZE;
        TaskStorageMap.create("m", MapSpec.taskStorage(ValueType.builder(max).build())).close();
        assertErrno(Errno.E2BIG, "value size " + (max + 1),
                () -> TaskStorageMap.create("m", MapSpec.taskStorage(ValueType.builder(max + 1).build())));
    }

    @Test
    void createChecksUptrPointeeAndFieldPlacement() {
        assertErrno(Errno.EINVAL, "empty type", () -> TaskStorageMap.create("m",
                MapSpec.taskStorage(ValueType.singleUptr("p", PointeeType.user("empty", 0)))));
        assertErrno(Errno.EINVAL, "kernel-owned", () -> TaskStorageMap.create("m",
                MapSpec.taskStorage(ValueType.singleUptr("p", new PointeeType("task_struct", 64, true)))));
        assertErrno(Errno.E2BIG, "larger than a page", () -> TaskStorageMap.create("m",
                MapSpec.taskStorage(ValueType.singleUptr("p", PointeeType.user("big", (int) PAGE + 1)))));
        TaskStorageMap.create("m", MapSpec.taskStorage(ValueType.singleUptr("p", PointeeType.user("page", (int) PAGE)))).close();
        assertErrno(Errno.EINVAL, "\"p\" at offset 8", () -> TaskStorageMap.create("m",
                MapSpec.taskStorage(ValueType.builder(8).uptr("p", 8, SCRATCH).build())));
        assertErrno(Errno.EINVAL, "offset order", () -> TaskStorageMap.create("m",
                MapSpec.taskStorage(ValueType.builder(16).spinLock(8).uptr("p", 0, SCRATCH).build())));
        assertErrno(Errno.E2BIG, "at most one bpf_spin_lock", () -> TaskStorageMap.create("m",
                MapSpec.taskStorage(ValueType.builder(16).spinLock(0).spinLock(4).build())));
        assertErrno(Errno.E2BIG, "at most one bpf_spin_lock", () -> TaskStorageMap.create("m",
                MapSpec.taskStorage(ValueType.builder(16).spinLock(0).spinLock(6).build())));
        assertErrno(Errno.EFAULT, "\"lock\" at offset 2", () -> TaskStorageMap.create("m",
                MapSpec.taskStorage(ValueType.builder(8).spinLock(2).build())));
    }

    @Test
    void misalignedAndOverlappingFieldsArePlainData() {
        ScratchRegion r = RegionAllocator.create(LAYOUT, PinMode.UNPINNED).allocate(task);
        ValueType misaligned = ValueType.builder(16).uptr("p", 4, SCRATCH).spinLock(12).build();
        ValueType overlapping = ValueType.builder(16).uptr("p", 8, SCRATCH).spinLock(12).build();
        assertFalse(misaligned.isSpecial(0), "a uptr at offset 4 is plain data");
        assertTrue(misaligned.isSpecial(1) && misaligned.hasSpinLock() && !misaligned.hasUptr());
        assertFalse(overlapping.isSpecial(0) || overlapping.isSpecial(1), "overlapping fields void the whole record");
        assertFalse(overlapping.hasSpinLock() || overlapping.hasUptr());
        for (ValueType v : new ValueType[] {misaligned, overlapping}) {
            try (TaskStorageMap m = TaskStorageMap.create("plain", MapSpec.taskStorage(v))) {
                MapValue value = m.newValue();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> value.setUptr("p", r));
                assertTrue(e.getMessage().contains("\"p\"") && e.getMessage().contains("plain data"), e.getMessage());
                long p = v.fields().get(0).offset();
                value.data().set(ValueLayout.JAVA_LONG_UNALIGNED, p, -16L); // would be EFAULT as a uptr
                m.update(task, value, 0);
                assertEquals(-16L, m.lookup(task).data().get(ValueLayout.JAVA_LONG_UNALIGNED, p), "stored as it is");
                assertFalse(r.isPinned(), "nothing pinned the region");
            }
        }
        assertErrno(Errno.EINVAL, "no bpf_spin_lock", () -> {
            try (TaskStorageMap m = TaskStorageMap.create("plain", MapSpec.taskStorage(overlapping))) {
                m.update(task, m.newValue(), MapFlags.F_LOCK);
            }
        });
        r.close();
    }

    // ---- update ----

    @Test
    void updateFlagsAnyNoexistExist() {
        ScratchRegion a = alloc.allocate(task);
        for (long bad : new long[] {3, 8, 0x10, 1L << 40}) {
            assertErrno(Errno.EINVAL, "update flags 0x" + Long.toHexString(bad), () -> map.update(task, value(a), bad));
        }
        assertErrno(Errno.EINVAL, "F_LOCK", () -> map.update(task, value(a), MapFlags.F_LOCK | 3));
        assertErrno(Errno.ENOENT, "update EXIST", () -> map.update(task, value(a), MapFlags.EXIST));
        assertEquals(0, map.size());
        map.update(task, value(a), MapFlags.NOEXIST);
        assertErrno(Errno.EEXIST, "update NOEXIST", () -> map.update(task, value(a), MapFlags.NOEXIST));
        map.update(task, value(a), MapFlags.EXIST);
        map.update(task, value(a), MapFlags.ANY);
        assertEquals(1, map.size());
        assertFalse(a.isFreed());
    }

    @Test
    void fLockWithUptrIsEopnotsuppWithALockEinvalWithoutAndTakesNoPin() {
        ScratchRegion r = RegionAllocator.create(LAYOUT, PinMode.UNPINNED).allocate(task);
        for (long f : new long[] {MapFlags.F_LOCK, MapFlags.F_LOCK | MapFlags.EXIST, MapFlags.F_LOCK | MapFlags.NOEXIST}) {
            assertErrno(Errno.EINVAL, "no bpf_spin_lock", () -> map.update(task, value(r), f));
        }
        ValueType both = ValueType.builder(16).uptr("udata", 0, SCRATCH).spinLock(8).build();
        try (TaskStorageMap locked = TaskStorageMap.create("locked_uptr", MapSpec.taskStorage(both))) {
            for (UptrTarget target : new UptrTarget[] {r, null}) {
                assertErrno(Errno.EOPNOTSUPP, "F_LOCK", () -> locked.update(task, locked.newValue().setUptr("udata", target), MapFlags.F_LOCK));
            }
            assertErrno(Errno.EFAULT, "overflows", () -> locked.update(task,
                    locked.newValue().setUptr("udata", UserMemory.ofAddress(-16)), MapFlags.F_LOCK));
            assertEquals(0, locked.size());
        }
        assertFalse(r.isPinned(), "the pin taken before the F_LOCK refusal is undone");
        assertEquals(0, map.size());
        r.close();
    }

    @Test
    void fLockCopiesUnderTheSpinLockWhenTheValueHasOne() {
        ValueType locked = ValueType.builder(16).spinLock(0).build();
        try (TaskStorageMap m = TaskStorageMap.create("locked", MapSpec.taskStorage(locked))) {
            MapValue v = m.newValue();
            v.data().set(ValueLayout.JAVA_INT_UNALIGNED, 8, 5);
            m.update(task, v, MapFlags.F_LOCK);
            v.data().set(ValueLayout.JAVA_INT_UNALIGNED, 8, 6);
            m.update(task, v, MapFlags.F_LOCK | MapFlags.EXIST);
            assertEquals(6, m.lookup(task).data().get(ValueLayout.JAVA_INT_UNALIGNED, 8));
        }
        ValueType noLock = ValueType.builder(16).build();
        try (TaskStorageMap m = TaskStorageMap.create("nolock", MapSpec.taskStorage(noLock))) {
            assertErrno(Errno.EINVAL, "no bpf_spin_lock", () -> m.update(task, m.newValue(), MapFlags.F_LOCK));
        }
    }

    @Test
    void badKeysAreEbadfAndDeadTasksEnoent() {
        ScratchRegion r = alloc.allocate(task);
        TaskHandle closed = TaskHandle.simulated("closed-handle");
        closed.close();
        assertErrno(Errno.EBADF, "closed-handle", () -> map.update(closed, value(r), 0));
        TaskHandle dead = TaskHandle.simulated("dead-task");
        dead.exit();
        assertErrno(Errno.ENOENT, "dead-task", () -> map.update(dead, value(r), 0));
        assertErrno(Errno.EBADF, "task fd 99999", () -> map.update(99999, value(r), 0));
        assertErrno(Errno.EBADF, "task fd 99999", () -> map.lookup(99999));
        assertErrno(Errno.EBADF, "task fd 99999", () -> map.delete(99999));
        int fd = task.fd();
        map.update(fd, value(r), 0);
        assertNotNull(map.lookup(fd));
        map.delete(fd);
        assertErrno(Errno.ENOENT, "dead-task", () -> map.lookup(dead));
        assertErrno(Errno.EBADF, "closed-handle", () -> map.delete(closed));
        assertFalse(r.isFreed());
        assertThrows(NullPointerException.class, () -> map.update(task, null, 0));
        assertThrows(NullPointerException.class, () -> map.update(fd, null, 0));
        assertThrows(NullPointerException.class, () -> map.update((TaskHandle) null, value(r), 0));
        assertThrows(NullPointerException.class, () -> map.lookup(null));
        assertThrows(NullPointerException.class, () -> map.delete(null));
        assertErrno(Errno.EINVAL, "not a value of map",
                () -> map.update(task, ValueType.singleUptr("udata", SCRATCH).newValue(), 0));
        assertThrows(IllegalArgumentException.class, () -> map.newValue().setUptr("nope", r));
    }

    @Test
    void nullRegionClearsThePreviousPinAfterAGracePeriod() {
        ScratchRegion r = RegionAllocator.create(LAYOUT, PinMode.UNPINNED).allocate(task);
        map.update(task, value(r), 0);
        assertTrue(r.isPinned(), "a registration pins the region");
        map.update(task, value(null), 0);
        Rcu.global().rcuBarrier();
        assertFalse(r.isPinned());
        assertEquals(1, map.size());
        r.close();
    }

    @Test
    void efaultForOverflowUnmappedReadOnlyAndShortMemory() {
        assertErrno(Errno.EFAULT, "overflows", () -> map.update(task, value(UserMemory.ofAddress(-16)), 0));
        assertErrno(Errno.EFAULT, "not mapped", () -> map.update(task, value(UserMemory.ofAddress(PAGE * 16)), 0));
        MemorySegment seg = arena.allocate(PAGE, PAGE);
        assertErrno(Errno.EFAULT, "read-only", () -> map.update(task, value(UserMemory.of(seg.asReadOnly())), 0));
        assertErrno(Errno.EFAULT, "only 32 bytes", () -> map.update(task, value(UserMemory.of(seg.asSlice(0, 32))), 0));
        Arena gone = Arena.ofConfined();
        MemorySegment freed = gone.allocate(64, 64);
        gone.close();
        assertErrno(Errno.EFAULT, "not mapped", () -> map.update(task, value(UserMemory.of(freed)), 0));
        assertErrno(Errno.EFAULT, "not mapped", () -> map.update(task, value(UserMemory.of(MemorySegment.ofArray(new byte[64]))), 0));
        ScratchRegion r = alloc.allocate(task);
        r.close();
        assertErrno(Errno.EFAULT, "not mapped", () -> map.update(task, value(r), 0));
        assertEquals(0, map.size());
    }

    @Test
    void efaultFollowsTheRealMappingNotTheSegment() throws Throwable {
        MethodHandle mmap = Libc.downcall("mmap", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MethodHandle mprotect = Libc.downcall("mprotect",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        MethodHandle munmap = Libc.downcall("munmap",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        int read = 1;
        int write = 2;
        int privateAnon = 0x02 | 0x20;
        int sharedAnon = 0x01 | 0x20;
        long writable = (long) mmap.invokeExact(0L, PAGE, read | write, privateAnon, -1, 0L);
        long readOnly = (long) mmap.invokeExact(0L, PAGE, read | write, privateAnon, -1, 0L);
        assertEquals(0, (int) mprotect.invokeExact(readOnly, PAGE, read));
        long none = (long) mmap.invokeExact(0L, PAGE, 0, privateAnon, -1, 0L);
        long roShared = (long) mmap.invokeExact(0L, PAGE, read, sharedAnon, -1, 0L);
        long unmapped = (long) mmap.invokeExact(0L, PAGE, read | write, privateAnon, -1, 0L);
        assertEquals(0, (int) munmap.invokeExact(unmapped, PAGE));
        try {
            map.update(task, value(live(writable)), 0); // the control: a writable mapping pins
            map.delete(task);
            assertErrno(Errno.EFAULT, "read-only", () -> map.update(task, value(live(readOnly)), 0));
            assertErrno(Errno.EFAULT, "read-only", () -> map.update(task, value(live(none)), 0));
            assertErrno(Errno.EFAULT, "read-only", () -> map.update(task, value(live(roShared)), 0));
            assertErrno(Errno.EFAULT, "not mapped", () -> map.update(task, value(live(unmapped)), 0));
            assertEquals(0, map.size());
        } finally {
            map.awaitUnpins();
            for (long m : new long[] {writable, readOnly, none, roShared}) {
                int ignored = (int) munmap.invokeExact(m, PAGE);
            }
        }
    }

    /** A live (global-scope) segment over {@code address}: only the real mapping can refuse it. */
    private static UserMemory live(long address) {
        return UserMemory.of(MemorySegment.ofAddress(address).reinterpret(PAGE));
    }

    @Test
    void pageCrossingIsEopnotsuppButEndingAtThePageEndIsFine() {
        MemorySegment pages = arena.allocate(2 * PAGE, PAGE);
        int size = SCRATCH.size();
        assertErrno(Errno.EOPNOTSUPP, "crosses a page boundary",
                () -> map.update(task, value(UserMemory.of(pages.asSlice(PAGE - size + 1, size))), 0));
        UserMemory atEnd = UserMemory.of(pages.asSlice(PAGE - size, size));
        map.update(task, value(atEnd), 0);
        try (var section = Rcu.global().read(Flavor.NORMAL)) {
            assertSame(atEnd, map.taskStorageGet(task, 0).uptr("udata"));
        }
    }

    @Test
    void aFailedUpdateUndoesThePinsItTook() {
        ValueType two = ValueType.builder(16).uptr("a", 0, SCRATCH).uptr("b", 8, SCRATCH).build();
        ScratchRegion r = RegionAllocator.create(LAYOUT, PinMode.UNPINNED).allocate(task);
        try (TaskStorageMap m = TaskStorageMap.create("two", MapSpec.taskStorage(two))) {
            MapValue v = m.newValue().setUptr("a", r).setUptr("b", UserMemory.ofAddress(-16));
            assertErrno(Errno.EFAULT, "\"b\"", () -> m.update(task, v, 0));
            assertFalse(r.isPinned(), "the pin of field a was undone");
            assertEquals(0, m.size());
        }
        r.close();
    }

    // ---- lookup, delete, grace periods ----

    @Test
    void lookupNeverRevealsTheRegion() {
        ScratchRegion r = alloc.allocate(task);
        ValueType withData = ValueType.builder(16).uptr("udata", 0, SCRATCH).build();
        try (TaskStorageMap m = TaskStorageMap.create("data", MapSpec.taskStorage(withData))) {
            MapValue v = m.newValue().setUptr("udata", r);
            v.data().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0xDEADL);
            v.data().set(ValueLayout.JAVA_INT_UNALIGNED, 8, 77);
            assertErrno(Errno.ENOENT, "no element", () -> m.lookup(task));
            m.update(task, v, 0);
            MapValue got = m.lookup(task);
            assertNull(got.uptr("udata"));
            assertEquals(0, got.data().get(ValueLayout.JAVA_LONG_UNALIGNED, 0), "uptr bytes read as NULL");
            assertEquals(77, got.data().get(ValueLayout.JAVA_INT_UNALIGNED, 8));
            assertEquals(16, got.toByteArray().length);
        }
    }

    @Test
    void replaceAndDeleteUnpinOnlyAfterReadersAreDone() throws InterruptedException {
        ScratchRegion a = alloc.allocate(task);
        ScratchRegion b = alloc.allocate(task);
        map.update(task, value(a), 0);
        Rcu.global().readLock(Flavor.NORMAL);
        StorageElement seen;
        try {
            seen = map.taskStorageGet(task, 0);
            map.update(task, value(b), MapFlags.EXIST);
            Thread.sleep(20); // give a wrongly early unpin the chance to happen
            assertSame(a, seen.uptr("udata"), "a reader keeps the element it found");
            assertErrno(Errno.EBUSY, "map \"sched\" for task worker-1", a::close);
            assertFalse(a.isFreed(), "a refused close changes nothing");
            a.onCpu();
            map.delete(task);
            assertErrno(Errno.ENOENT, "no element", () -> map.delete(task));
            assertErrno(Errno.EBUSY, "delete the map element", b::close);
        } finally {
            Rcu.global().readUnlock(Flavor.NORMAL);
        }
        Rcu.global().rcuBarrier();
        a.close();
        b.close();
        assertTrue(a.isFreed() && b.isFreed());
    }

    @Test
    void tldHazardIsRefused() {
        ScratchRegion r = alloc.allocate(task);
        map.update(task, value(r), 0);
        assertErrno(Errno.EBUSY, "worker-1", r::close);
        assertEquals(1, map.lookup(task).type().fields().size());
        map.delete(task);
        Rcu.global().rcuBarrier();
        r.close();
    }

    @Test
    void taskExitReleasesStorageInEveryMapAtOnce() {
        ScratchRegion a = alloc.allocate(task);
        ScratchRegion b = alloc.allocate(task);
        try (TaskStorageMap other = TaskStorageMap.create("other", MapSpec.taskStorage(VALUE))) {
            map.update(task, value(a), 0);
            MapValue vb = other.newValue().setUptr("udata", b);
            other.update(task, vb, 0);
            assertEquals(1, other.size());
            task.exit();
            assertEquals(0, map.size());
            assertEquals(0, other.size());
            a.close(); // no grace period needed: no program can hold a dead task's element
            b.close();
        }
    }

    @Test
    void javaThreadExitIsReaped() throws Exception {
        ScratchRegion r = alloc.allocate();
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            map.update(TaskHandle.current(), value(r), 0);
            done.countDown();
        });
        t.start();
        done.await();
        t.join();
        assertEquals(1, map.size());
        TaskHandle.reap();
        assertEquals(0, map.size());
        r.close();
    }

    @Test
    void mapCloseUnpinsAtOnce() {
        ScratchRegion r = alloc.allocate(task);
        TaskStorageMap m = TaskStorageMap.create("short", MapSpec.taskStorage(VALUE));
        m.update(task, m.newValue().setUptr("udata", r), 0);
        m.close();
        r.close();
        assertErrno(Errno.EBADF, "map \"short\": closed", () -> m.update(task, m.newValue(), 0));
        assertErrno(Errno.EBADF, "closed", () -> m.lookup(task));
        try (var section = Rcu.global().read(Flavor.TASKS_TRACE)) {
            assertNull(m.taskStorageGet(task, MapFlags.F_CREATE));
        }
        m.close();
    }

    // ---- program side ----

    @Test
    void programAccessNeedsAReadSection() {
        var e = assertThrows(IllegalStateException.class, () -> map.taskStorageGet(task, MapFlags.F_CREATE));
        assertTrue(e.getMessage().contains("map \"sched\"") && e.getMessage().contains("read-side section"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> map.programDelete(task));
        assertEquals(0, map.size(), "the refused call created nothing");
    }

    @Test
    void programGetCreatesZeroElementsAndNeverSetsAUptr() {
        ScratchRegion r = RegionAllocator.create(LAYOUT, PinMode.UNPINNED).allocate(task);
        try (var section = Rcu.global().read(Flavor.NORMAL)) {
            assertNull(map.taskStorageGet(task, 0));
            assertNull(map.taskStorageGet(task, 2), "unknown flags");
            assertNull(map.taskStorageGet(null, MapFlags.F_CREATE));
            StorageElement e = map.taskStorageGet(task, MapFlags.F_CREATE, value(r));
            assertNotNull(e);
            assertNull(e.uptr("udata"), "F_CREATE ignores the uptr in the init value");
            assertFalse(r.isPinned());
            assertSame(e, map.taskStorageGet(task, 0));
            assertNull(map.lookup(task).uptr("udata"));
            assertErrno(Errno.EINVAL, "uptr field \"udata\"", () -> e.putInt(4, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> e.getInt(8));
            assertTrue(map.programDelete(task));
            assertFalse(map.programDelete(task));
            TaskHandle dead = TaskHandle.simulated("dead");
            dead.exit();
            assertNull(map.taskStorageGet(dead, MapFlags.F_CREATE));
        }
        r.close();
    }

    @Test
    void programDataIsBoundedByTheValueSize() {
        ValueType withData = ValueType.builder(16).uptr("udata", 8, SCRATCH).build();
        try (TaskStorageMap m = TaskStorageMap.create("data", MapSpec.taskStorage(withData));
                var section = Rcu.global().read(Flavor.NORMAL)) {
            StorageElement e = m.taskStorageGet(task, MapFlags.F_CREATE);
            e.putInt(4, 12);
            assertEquals(12, e.getInt(4));
            assertEquals(12, m.lookup(task).data().get(ValueLayout.JAVA_INT_UNALIGNED, 4));
            assertThrows(IndexOutOfBoundsException.class, () -> e.putInt(16, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> e.getInt(-1));
        }
    }
}
