package io.taskscratch.demo.locks;

import io.taskscratch.mutex.LockMetrics;
import io.taskscratch.sched.SimConfig;
import io.taskscratch.sched.SimResult;
import io.taskscratch.sched.Simulation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code synchronized} model adapts its spin duration as HotSpot's ObjectMonitor does. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HotSpotMonitorTest {
    private static final long PHASE_NS = 5_000_000L;
    private static final long LONG_CS_NS = 50_000L;
    private static final long SHORT_CS_NS = 1_000L;

    @Test
    void theDurationStepsAreHotSpots() {
        assertEquals(HotSpotMonitor.POVERTY + HotSpotMonitor.BONUS, HotSpotMonitor.adjustUp(0), "raised to the poverty line first");
        assertEquals(4_950 + HotSpotMonitor.BONUS, HotSpotMonitor.adjustUp(4_950), "not clamped exactly at the limit");
        assertEquals(HotSpotMonitor.SPIN_LIMIT, HotSpotMonitor.adjustUp(HotSpotMonitor.SPIN_LIMIT));
        assertEquals(HotSpotMonitor.SPIN_LIMIT - HotSpotMonitor.PENALTY, HotSpotMonitor.adjustDown(HotSpotMonitor.SPIN_LIMIT));
        assertEquals(0, HotSpotMonitor.adjustDown(150));
        assertEquals(0, HotSpotMonitor.adjustDown(0));
    }

    /**
     * Two tasks on two CPUs: 50 µs sections for 5 ms (a full spin, about 4 µs with the calibrated
     * costs, never outlasts one: the duration falls to 0), then 1 µs sections (the pre-spin
     * succeeds again and the duration climbs back).
     */
    @Test
    void longSectionsShrinkTheSpinAndShortOnesGrowItBack() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).seed(5).build());
        HotSpotMonitor lock = new HotSpotMonitor(sim.platform(), "synchronized-model");
        int[] afterLong = {-1};
        for (int w = 0; w < 2; w++) {
            sim.spawnDaemon("w" + w, p -> {
                while (true) {
                    lock.lock();
                    try {
                        p.work(p.now() < PHASE_NS ? LONG_CS_NS : SHORT_CS_NS);
                    } finally {
                        lock.unlock();
                    }
                    if (afterLong[0] < 0 && p.now() >= PHASE_NS) {
                        afterLong[0] = lock.spinDuration(); // at the end of the last long section
                    }
                    p.work(p.random().nextLong(2 * SHORT_CS_NS));
                }
            });
        }
        SimResult r = sim.run(2 * PHASE_NS);
        assertEquals(SimResult.Status.TIME_LIMIT, r.status(), r.toString());
        LockMetrics m = lock.metrics();
        assertEquals(0, afterLong[0], "failed spins behind 50 µs sections take the duration to 0: " + m);
        assertTrue(lock.spinDuration() >= HotSpotMonitor.POVERTY + HotSpotMonitor.BONUS,
                "1 µs sections: successful spins raise it again, now " + lock.spinDuration() + ", " + m);
        assertTrue(m.parks() > 0 && m.spins() > 0, m.toString());
    }
}
