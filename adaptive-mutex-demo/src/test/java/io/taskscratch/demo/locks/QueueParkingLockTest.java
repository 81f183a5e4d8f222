package io.taskscratch.demo.locks;

import io.taskscratch.sched.CostProfile;
import io.taskscratch.sched.SimConfig;
import io.taskscratch.sched.SimResult;
import io.taskscratch.sched.Simulation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model of {@code ReentrantLock(true)} behaves as JDK 25's AQS fair mode does with two threads
 * on two CPUs: the unlocker wakes the first waiter, and when it asks again before that waiter
 * runs it queues behind it ({@code initialTryLock} sees a queued thread, {@code tryAcquire} a
 * queued predecessor), so every acquisition waits for one wake-up onto an idle CPU.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class QueueParkingLockTest {
    private static final long WAKEUP_NS = 8_000;
    private static final long CS_NS = 1_000;
    private static final long RUN_NS = 1_000_000;

    /** Owner and virtual time of every acquisition of two tasks, 1 µs sections, 1 µs think. */
    private static List<long[]> acquisitions(boolean fair) {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).costs(CostProfile.ZERO.with("wakeupIdleNs", WAKEUP_NS)).build());
        QueueParkingLock lock = new QueueParkingLock(sim.platform(), "model", QueueParkingLock.SpinPhase.NONE, 0, fair);
        List<long[]> log = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int me = w;
            sim.spawnDaemon("w" + w, p -> {
                while (true) {
                    lock.lock();
                    try {
                        log.add(new long[] {me, p.now()});
                        p.work(CS_NS);
                    } finally {
                        lock.unlock();
                    }
                    p.work(CS_NS);
                }
            });
        }
        SimResult r = sim.run(RUN_NS);
        assertEquals(SimResult.Status.TIME_LIMIT, r.status(), r.toString());
        return log;
    }

    @Test
    void fairModeAlternatesOwnersAndEveryAcquisitionWaitsOneIdleWakeup() {
        List<long[]> log = acquisitions(true);
        assertTrue(log.size() > 10, "acquisitions: " + log.size());
        for (int i = 2; i < log.size(); i++) {
            long[] prev = log.get(i - 1);
            long[] cur = log.get(i);
            assertTrue(cur[0] != prev[0], "acquisition " + i + ": the releaser queued behind the woken waiter");
            assertEquals(CS_NS + WAKEUP_NS, cur[1] - prev[1], "acquisition " + i + ": the section, then the waiter's wake-up");
        }
    }

    @Test
    void nonFairModePaysNoWakeupPerAcquisitionOnTheSameWorkload() {
        List<long[]> fair = acquisitions(true);
        List<long[]> barging = acquisitions(false);
        assertTrue(barging.size() > 3 * fair.size(), "a woken waiter's wake-up costs only fair mode: barging "
                + barging.size() + " vs fair " + fair.size() + " acquisitions");
    }
}
