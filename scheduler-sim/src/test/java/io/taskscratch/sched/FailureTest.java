package io.taskscratch.sched;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.sched.workload.Workloads;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureTest {
    private static SimConfig.Builder cfg() {
        return SimConfig.builder().cpus(2);
    }

    /** Short watchdog for the tests that expect it to fire. */
    private static SimConfig.Builder stallCfg() {
        return cfg().watchdogMillis(300);
    }

    @Test
    void throwingBodyStopsTheRunNamingTaskTimeAndStack() {
        Simulation sim = new Simulation(cfg().build());
        Workloads.addHogs(sim, 3, 10_000);
        sim.spawn("bad", p -> {
            p.work(123_000);
            throw new IllegalStateException("boom");
        });
        SimFailureException f = assertThrows(SimFailureException.class, () -> sim.run(1_000_000_000L));
        assertEquals(SimFailureException.Kind.TASK_THREW, f.kind());
        assertEquals("bad", f.taskName());
        assertTrue(f.virtualTimeNs() >= 123_000, "time " + f.virtualTimeNs());
        assertTrue(f.getMessage().contains("'bad'") && f.getMessage().contains("boom"), f.getMessage());
        IllegalStateException cause = assertInstanceOf(IllegalStateException.class, f.getCause());
        assertTrue(Arrays.stream(cause.getStackTrace()).anyMatch(e -> e.getClassName().startsWith(FailureTest.class.getName())));
        assertAllThreadsGone(sim);
    }

    @Test
    void sleepingBodyIsReportedByTheWatchdog() {
        Simulation sim = new Simulation(stallCfg().build());
        sim.spawnDaemon("busy", Workloads.cpuHog(10_000));
        sim.spawn("sleepy", p -> {
            p.work(50_000);
            Thread.sleep(60_000);
        });
        SimFailureException f = assertThrows(SimFailureException.class, () -> sim.run(1_000_000_000L));
        assertEquals(SimFailureException.Kind.STALLED, f.kind());
        assertEquals("sleepy", f.taskName());
        assertTrue(f.virtualTimeNs() >= 50_000);
        assertTrue(Arrays.stream(f.getStackTrace()).anyMatch(e -> e.getMethodName().contains("sleep")),
                Arrays.toString(f.getStackTrace()));
        assertTrue(f.getMessage().contains("blocked outside the model"), f.getMessage());
    }

    @Test
    void bodySpinningWithoutModelCallsIsReported() {
        Simulation sim = new Simulation(stallCfg().build());
        boolean[] flag = new boolean[1];
        sim.spawn("spinner", p -> {
            // Waits for a flag only another task could set, without a model call: nobody else can run.
            while (!flag[0] && !Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait();
            }
        });
        sim.spawn("setter", p -> flag[0] = true);
        SimFailureException f = assertThrows(SimFailureException.class, () -> sim.run(1_000_000L));
        assertEquals(SimFailureException.Kind.STALLED, f.kind());
        assertEquals("spinner", f.taskName());
    }

    @Test
    void bodyBlockedOnAJdkLockIsReported() throws Exception {
        ReentrantLock jdkLock = new ReentrantLock();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread outsider = Thread.ofPlatform().start(() -> {
            jdkLock.lock();
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            } finally {
                jdkLock.unlock();
            }
        });
        held.await();
        try {
            Simulation sim = new Simulation(stallCfg().threads(ThreadKind.PLATFORM).build());
            sim.spawn("locked", p -> {
                jdkLock.lock();
                jdkLock.unlock();
            });
            SimFailureException f = assertThrows(SimFailureException.class, () -> sim.run(1_000_000L));
            assertEquals(SimFailureException.Kind.STALLED, f.kind());
            assertEquals("locked", f.taskName());
            assertTrue(Arrays.stream(f.getStackTrace()).anyMatch(e -> e.getClassName().contains("ReentrantLock")
                    || e.getClassName().contains("AbstractQueuedSynchronizer")));
        } finally {
            release.countDown();
            outsider.join();
        }
    }

    @Test
    void throwingListenerIsReported() {
        Simulation sim = new Simulation(cfg().build());
        sim.addListener(new SchedEventListener() {
            @Override
            public void onExit(SimTask task, long now) {
                throw new UnsupportedOperationException("listener bug");
            }
        });
        sim.spawn("t", p -> p.work(10));
        SimFailureException f = assertThrows(SimFailureException.class, () -> sim.run(1_000_000L));
        assertEquals(SimFailureException.Kind.LISTENER_THREW, f.kind());
        assertInstanceOf(UnsupportedOperationException.class, f.getCause());
    }

    @Test
    void listenerCallingTheModelIsRefused() {
        Simulation sim = new Simulation(cfg().build());
        sim.addListener(new SchedEventListener() {
            @Override
            public void onSwitch(SimTask prev, SimTask next, int cpu, boolean preempt, long now) {
                if (prev != null) {
                    sim.platform().work(1);
                }
            }
        });
        sim.spawn("t", p -> p.parkNanos(1_000));
        SimFailureException f = assertThrows(SimFailureException.class, () -> sim.run(1_000_000L));
        ScratchException cause = assertInstanceOf(ScratchException.class, f.getCause());
        assertEquals(Errno.EPERM, cause.errno());
        assertTrue(cause.getMessage().contains("listeners must not call the model"));
    }

    private static void assertAllThreadsGone(Simulation sim) {
        for (SimTask t : sim.tasks()) {
            assertFalse(t.thread != null && t.thread.isAlive(), "thread of " + t + " still alive");
        }
    }
}
