package io.taskscratch.kernel;

import static io.taskscratch.kernel.KernelAssumptions.assumeKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.internal.os.Libc;
import io.taskscratch.map.MapFlags;
import io.taskscratch.map.MapSpec;
import io.taskscratch.map.PointeeType;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.map.ValueType;
import io.taskscratch.region.RegionAbi;
import io.taskscratch.region.UptrTarget;
import io.taskscratch.region.UserMemory;
import io.taskscratch.task.TaskHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same bad inputs against the simulated {@link TaskStorageMap} and the real kernel map must
 * give the same {@link Errno}: page-crossing struct, bad flags, NOEXIST twice, dead task, bad key,
 * read-only, unmapped and overflowing memory. The kernel side uses the raw update (no own-process
 * guard), so every code below is the kernel's own.
 */
class KernelDifferentialTest {
    private static final long PAGE = Libc.pageSize();
    private static final int SIZE = RegionAbi.HEADER_SIZE; // sizeof(struct sched_scratch)
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final MethodHandle MPROTECT = Libc.downcall("mprotect",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private KernelBackend kernel;
    private TaskStorageMap sim;
    private TaskHandle task;
    private int pidfd;
    private Arena arena;
    private final List<String> table = new ArrayList<>();

    @BeforeEach
    void setUp() {
        assumeKernel("KernelDifferentialTest");
        kernel = KernelBackend.open();
        sim = TaskStorageMap.create("sched_scratch_sim",
                MapSpec.taskStorage(ValueType.singleUptr("udata", PointeeType.user("sched_scratch", SIZE))));
        task = TaskHandle.current();
        pidfd = Sys.pidfdOpen(task.osTid(), Sys.PIDFD_THREAD);
        assertTrue(pidfd >= 0, "pidfd_open: " + pidfd);
        arena = Arena.ofShared();
    }

    @AfterEach
    void tearDown() {
        if (kernel == null) {
            return;
        }
        kernel.kernelDelete(pidfd);
        Sys.synchronizeKernelRcu(); // no program writes our test memory any more
        kernel.close();
        sim.close();
        Sys.close(pidfd);
        arena.close();
        table.forEach(System.out::println);
    }

    /** Runs one case on both sides; both must agree (null = success). */
    private void same(String name, Supplier<Errno> simulated, IntSupplier kernelRc) {
        Errno s = simulated.get();
        int rc = kernelRc.getAsInt();
        Errno k = rc == 0 ? null : KernelErrors.of(-rc);
        table.add(String.format("[scratch-kernel] differential %-34s simulated %-10s kernel %-10s (rc %d)", name, s, k, rc));
        assertEquals(s, k, name + ": simulated " + s + " vs kernel " + k + " (rc " + rc + ")");
    }

    /** The simulated map's answer to {@code op}: null for success, else its {@link Errno}. */
    static Errno simulated(Runnable op) {
        try {
            op.run();
            return null;
        } catch (ScratchException e) {
            return e.errno();
        }
    }

    private Errno simUpdate(TaskHandle t, UptrTarget target, long flags) {
        return simulated(() -> sim.update(t, sim.newValue().setUptr("udata", target), flags));
    }

    private Errno simUpdate(int fd, UptrTarget target, long flags) {
        return simulated(() -> sim.update(fd, sim.newValue().setUptr("udata", target), flags));
    }

    private void resetBoth() {
        try {
            sim.delete(task);
        } catch (ScratchException e) {
            assertEquals(Errno.ENOENT, e.errno());
        }
        int rc = kernel.kernelDelete(pidfd);
        assertTrue(rc == 0 || rc == -Errno.ENOENT.code(), "delete: " + rc);
    }

    @Test
    void pageCrossingStructIsEopnotsuppOnBothButEndingAtThePageEndIsFine() {
        MemorySegment pages = arena.allocate(2 * PAGE, PAGE);
        MemorySegment crossing = pages.asSlice(PAGE - SIZE + 8, SIZE);
        same("page-crossing struct", () -> simUpdate(task, UserMemory.of(crossing), MapFlags.ANY),
                () -> kernel.kernelUpdate(pidfd, crossing.address(), MapFlags.ANY));
        MemorySegment atEnd = pages.asSlice(PAGE - SIZE, SIZE);
        same("struct ending at the page end", () -> simUpdate(task, UserMemory.of(atEnd), MapFlags.ANY),
                () -> kernel.kernelUpdate(pidfd, atEnd.address(), MapFlags.ANY));
    }

    @Test
    void badFlagsAreEinvalOnBoth() {
        MemorySegment mem = arena.allocate(PAGE, PAGE).asSlice(0, SIZE);
        for (long flags : new long[] {3, MapFlags.F_LOCK, MapFlags.F_LOCK | MapFlags.NOEXIST, 8, 1L << 40}) {
            same("update flags 0x" + Long.toHexString(flags), () -> simUpdate(task, UserMemory.of(mem), flags),
                    () -> kernel.kernelUpdate(pidfd, mem.address(), flags));
        }
    }

    @Test
    void noexistTwiceIsEexistAndExistOnMissingIsEnoent() {
        MemorySegment mem = arena.allocate(PAGE, PAGE).asSlice(0, SIZE);
        same("EXIST on missing", () -> simUpdate(task, UserMemory.of(mem), MapFlags.EXIST),
                () -> kernel.kernelUpdate(pidfd, mem.address(), MapFlags.EXIST));
        same("NOEXIST first", () -> simUpdate(task, UserMemory.of(mem), MapFlags.NOEXIST),
                () -> kernel.kernelUpdate(pidfd, mem.address(), MapFlags.NOEXIST));
        same("NOEXIST twice", () -> simUpdate(task, UserMemory.of(mem), MapFlags.NOEXIST),
                () -> kernel.kernelUpdate(pidfd, mem.address(), MapFlags.NOEXIST));
        resetBoth();
        same("delete of a missing element", () -> simulated(() -> sim.delete(task)), () -> kernel.kernelDelete(pidfd));
    }

    @Test
    void deadTaskIsEnoentOnBoth() throws Exception {
        AtomicReference<TaskHandle> deadTask = new AtomicReference<>();
        int[] deadFd = new int[1];
        Thread t = new Thread(() -> {
            deadTask.set(TaskHandle.current());
            deadFd[0] = Sys.pidfdOpen(deadTask.get().osTid(), Sys.PIDFD_THREAD);
        }, "short-lived");
        t.start();
        t.join();
        assertTrue(deadFd[0] >= 0, "pidfd_open: " + deadFd[0]);
        int tid = deadTask.get().osTid();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Files.exists(Path.of("/proc/self/task/" + tid)) && System.nanoTime() < deadline) {
            Thread.sleep(1); // the OS thread outlives Thread.join by a little
        }
        TaskHandle.reap();
        MemorySegment mem = arena.allocate(PAGE, PAGE).asSlice(0, SIZE);
        try {
            same("dead task", () -> simUpdate(deadTask.get(), UserMemory.of(mem), MapFlags.ANY),
                    () -> kernel.kernelUpdate(deadFd[0], mem.address(), MapFlags.ANY));
            ScratchException guard = assertErrno(() -> OwnThread.check(deadFd[0], "dead thread"));
            assertEquals(Errno.ENOENT, guard.errno(), "the own-process guard agrees with the kernel: " + guard.getMessage());
        } finally {
            Sys.close(deadFd[0]);
        }
    }

    @Test
    void badKeyIsEbadfOnBoth() {
        MemorySegment mem = arena.allocate(PAGE, PAGE).asSlice(0, SIZE);
        int notOpen = 1_000_000;
        same("key: fd not open", () -> simUpdate(notOpen, UserMemory.of(mem), MapFlags.ANY),
                () -> kernel.kernelUpdate(notOpen, mem.address(), MapFlags.ANY));
        // An open fd that is not a pidfd (stdin); the simulated map has no such fd either.
        same("key: fd 0, not a pidfd", () -> simUpdate(0, UserMemory.of(mem), MapFlags.ANY),
                () -> kernel.kernelUpdate(0, mem.address(), MapFlags.ANY));
        assertEquals(Errno.EBADF, assertErrno(() -> OwnThread.check(0, "stdin")).errno());
        assertEquals(Errno.EBADF, assertErrno(() -> OwnThread.check(notOpen, "closed fd")).errno());
    }

    @Test
    void readOnlyUnmappedAndOverflowingMemoryAreEfaultOnBoth() throws Throwable {
        MemorySegment page = arena.allocate(PAGE, PAGE);
        assertEquals(0, (int) MPROTECT.invokeExact(page, PAGE, PROT_READ));
        try {
            MemorySegment ro = page.asSlice(0, SIZE);
            same("read-only memory", () -> simUpdate(task, UserMemory.of(ro.asReadOnly()), MapFlags.ANY),
                    () -> kernel.kernelUpdate(pidfd, ro.address(), MapFlags.ANY));
        } finally {
            assertEquals(0, (int) MPROTECT.invokeExact(page, PAGE, PROT_READ | PROT_WRITE));
        }
        long unmapped = PAGE * 16; // below vm.mmap_min_addr: never mapped
        same("unmapped address", () -> simUpdate(task, UserMemory.ofAddress(unmapped), MapFlags.ANY),
                () -> kernel.kernelUpdate(pidfd, unmapped, MapFlags.ANY));
        same("address + size - 1 overflows", () -> simUpdate(task, UserMemory.ofAddress(-16), MapFlags.ANY),
                () -> kernel.kernelUpdate(pidfd, -16, MapFlags.ANY));
    }

    private static ScratchException assertErrno(Runnable op) {
        try {
            op.run();
        } catch (ScratchException e) {
            return e;
        }
        throw new AssertionError("expected a ScratchException");
    }
}
