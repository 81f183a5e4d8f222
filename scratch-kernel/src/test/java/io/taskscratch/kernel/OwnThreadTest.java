package io.taskscratch.kernel;

import static io.taskscratch.kernel.KernelAssumptions.assumeKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.internal.os.Libc;
import io.taskscratch.region.RegionAbi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The own-process guard: as root the kernel accepts any task's pidfd; the library must not. */
class OwnThreadTest {

    @Test
    void ownThreadsPass() {
        int fd = Sys.pidfdOpen(Libc.gettid(), Sys.PIDFD_THREAD);
        assertTrue(fd >= 0, "pidfd_open: " + fd);
        try {
            OwnThread.check(fd, "this thread");
        } finally {
            Sys.close(fd);
        }
    }

    @Test
    void aForeignProcessIsRefusedWithEpermThoughTheKernelWouldAcceptIt() {
        int foreign = Sys.pidfdOpen(1, 0); // init
        assertTrue(foreign >= 0, "pidfd_open(1): " + foreign);
        try {
            ScratchException e = assertThrows(ScratchException.class, () -> OwnThread.check(foreign, "init"));
            assertEquals(Errno.EPERM, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("not a thread of this process") && e.getMessage().contains("init"), e.getMessage());

            // Why the guard exists: the kernel itself (as root) accepts init's pidfd and then
            // writes init's scheduling into our memory.
            assumeKernel("aForeignProcessIsRefusedWithEpermThoughTheKernelWouldAcceptIt (kernel half)");
            try (KernelBackend backend = KernelBackend.open(); Arena arena = Arena.ofShared()) {
                MemorySegment mem = arena.allocate(Libc.pageSize(), Libc.pageSize()).asSlice(0, RegionAbi.HEADER_SIZE);
                assertEquals(0, backend.kernelUpdate(foreign, mem.address(), 0), "root: the kernel accepts a foreign task");
                assertEquals(0, backend.kernelDelete(foreign));
                Sys.synchronizeKernelRcu();
                assertEquals(0, mem.get(ValueLayout.JAVA_INT, RegionAbi.SEQ_OFFSET) & 1, "no writer mid-update after the grace period");
            }
        } finally {
            Sys.close(foreign);
        }
    }
}
