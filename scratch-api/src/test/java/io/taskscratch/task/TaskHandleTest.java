package io.taskscratch.task;

import static io.taskscratch.testing.Errnos.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.internal.os.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TaskHandleTest {
    @Test
    void currentThreadHasItsOsTid() throws Exception {
        TaskHandle me = TaskHandle.current();
        assertEquals(TaskHandle.Kind.JAVA_THREAD, me.kind());
        assertTrue(me.osTid() > 0);
        assertTrue(me.sameTask(TaskHandle.current()));
        int[] other = new int[1];
        Thread t = new Thread(() -> other[0] = TaskHandle.current().osTid());
        t.start();
        t.join();
        assertTrue(other[0] > 0);
        assertNotEquals(me.osTid(), other[0]);
    }

    @Test
    void exitedThreadIsEnoentAndReapRunsExitHooks() throws Exception {
        CountDownLatch registered = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        TaskHandle[] h = new TaskHandle[1];
        Thread t = new Thread(() -> {
            h[0] = TaskHandle.current();
            registered.countDown();
            try {
                finish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "short-lived");
        t.start();
        registered.await();
        assertSame(h[0].taskId(), TaskHandle.of(t).taskId());
        AtomicInteger hookRuns = new AtomicInteger();
        h[0].attachExitHook(this, hookRuns::incrementAndGet);
        finish.countDown();
        t.join();
        TaskHandle.reap();
        assertEquals(1, hookRuns.get());
        assertFalse(h[0].isAlive());
        assertErrno(Errno.ENOENT, "short-lived", () -> h[0].checkUsable("task"));
        assertErrno(Errno.ENOENT, "short-lived", () -> TaskHandle.of(t));
        assertErrno(Errno.ENOENT, "has exited", () -> h[0].attachExitHook(this, () -> { }));
        Thread never = new Thread(() -> { }, "never-started");
        assertErrno(Errno.ENOENT, "never-started", () -> TaskHandle.of(never));
        assertErrno(Errno.EPERM, "Java thread", () -> TaskHandle.current().exit());
    }

    @Test
    void simulatedTaskExitsExplicitlyOnce() {
        TaskHandle sim = TaskHandle.simulated("sim-a");
        assertEquals(TaskHandle.Kind.SIMULATED, sim.kind());
        assertTrue(sim.osTid() > 4_194_304);
        AtomicInteger runs = new AtomicInteger();
        sim.attachExitHook("owner", runs::incrementAndGet);
        sim.attachExitHook("detached", runs::incrementAndGet);
        sim.detachExitHook("detached");
        TaskHandle dup = sim.dup();
        sim.exit();
        assertEquals(1, runs.get());
        assertFalse(dup.isAlive());
        assertErrno(Errno.ENOENT, "already exited", sim::exit);
    }

    @Test
    void closedHandlesAndUnknownFdsAreEbadf() {
        TaskHandle sim = TaskHandle.simulated("sim-b");
        int fd = sim.fd();
        assertEquals(fd, sim.fd());
        assertSame(sim, TaskHandle.fromFd(fd));
        TaskHandle other = sim.dup();
        sim.close();
        assertErrno(Errno.EBADF, "task fd " + fd, () -> TaskHandle.fromFd(fd));
        assertErrno(Errno.EBADF, "handle is closed", () -> sim.checkUsable("task"));
        assertErrno(Errno.EBADF, "handle is closed", sim::dup);
        assertErrno(Errno.EBADF, "handle is closed", sim::fd);
        assertTrue(other.isAlive(), "closing a handle does not end the task");
        other.checkUsable("task");
        assertErrno(Errno.EBADF, "task fd -1", () -> TaskHandle.fromFd(-1));
        assertErrno(Errno.EBADF, "task fd 0", () -> TaskHandle.fromFd(0));
    }

    @Test
    void anExitedThreadIsEnoentBeforeTheReaperRuns() throws Exception {
        TaskHandle[] h = new TaskHandle[1];
        Thread t = new Thread(() -> h[0] = TaskHandle.current(), "gone-unreaped");
        t.start();
        t.join();
        assertFalse(h[0].isAlive(), "Thread.isAlive() is checked, not only the reaper's mark");
        assertErrno(Errno.ENOENT, "gone-unreaped", () -> h[0].checkUsable("task"));
    }

    @Test
    void taskFdsAreRealFdsAndNeverNameAnotherOpenFile() throws Exception {
        TaskHandle sim = TaskHandle.simulated("sim-fd");
        int simFd = sim.fd();
        assertEquals("/dev/null", Files.readSymbolicLink(Path.of("/proc/self/fd/" + simFd)).toString(),
                "a simulated task's fd reserves its number with an fd of /dev/null");
        TaskHandle me = TaskHandle.current();
        int myFd = me.fd();
        assertTrue(Files.readSymbolicLink(Path.of("/proc/self/fd/" + myFd)).toString().contains("pidfd"),
                "a Java thread's fd is its pidfd");
        int devNull = Libc.openDevNull();
        try {
            assertTrue(devNull >= 0 && devNull != simFd && devNull != myFd);
            assertErrno(Errno.EBADF, "task fd " + devNull, () -> TaskHandle.fromFd(devNull));
        } finally {
            Libc.close(devNull);
        }
        sim.close();
        me.close();
        assertErrno(Errno.EBADF, "task fd " + simFd, () -> TaskHandle.fromFd(simFd));
        assertErrno(Errno.EBADF, "task fd " + myFd, () -> TaskHandle.fromFd(myFd));
    }
}
