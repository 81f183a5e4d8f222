package io.taskscratch.sched;

import io.taskscratch.sched.workload.Workloads;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WakeupAndBalanceTest {
    /** Time of the first migration onto CPU 1 in a layout where CPU 1 runs dry while CPU 0 has a queue. */
    private static long firstPullOntoCpu1(boolean idleStealing) {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).idleStealing(idleStealing).checkInvariants(true).build());
        List<Long> pulls = new ArrayList<>();
        sim.addListener(new SchedEventListener() {
            @Override
            public void onMigrate(SimTask task, int fromCpu, int toCpu, long now) {
                if (toCpu == 1) {
                    pulls.add(now);
                }
            }
        });
        // Placement alternates: a->0, d->1, b->0, c->1, e->0; d and c finish quickly, cpu 0 keeps a queue.
        sim.spawn("a", p -> p.work(10_000_000));
        sim.spawn("d", p -> p.work(10_000));
        sim.spawn("b", p -> p.work(10_000_000));
        sim.spawn("c", p -> p.work(10_000));
        sim.spawn("e", p -> p.work(10_000_000));
        sim.run(100_000_000);
        assertFalse(pulls.isEmpty(), "cpu 1 got work from cpu 0");
        return pulls.getFirst();
    }

    @Test
    void idleCpuStealsAtOnceAndOtherwiseWaitsForTheBalanceTick() {
        long stealing = firstPullOntoCpu1(true);
        long balancing = firstPullOntoCpu1(false);
        assertTrue(stealing < 100_000, "idle steal at " + stealing);
        assertEquals(SimConfig.builder().build().balanceIntervalNs(), balancing, "periodic balance at the first tick");
    }

    @Test
    void roundRobinNeverPreemptsOnWakeup() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(1).policy("rr").rrSliceNs(5_000_000).contextSwitchNs(0).build());
        long[] t = new long[2];
        sim.spawnDaemon("hog", Workloads.cpuHog(100_000));
        sim.spawn("sleeper", p -> {
            t[0] = p.now();
            p.parkNanos(1_000_000);
            t[1] = p.now();
        });
        sim.run(100_000_000);
        // The hog's 5 ms slice runs out before the sleeper gets the CPU back.
        assertTrue(t[1] - t[0] >= 5_000_000, "woke after " + (t[1] - t[0]));
    }

    @Test
    void interruptWakesAParkedTaskAndParkReturnsWhileInterrupted() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).checkInvariants(true).build());
        boolean[] seen = new boolean[3];
        SimTask sleeper = sim.spawn("sleeper", p -> {
            p.park();
            seen[0] = p.isInterrupted();
            p.park(); // returns at once: still interrupted
            seen[1] = p.interrupted();
            seen[2] = p.isInterrupted();
        });
        sim.spawn("waker", p -> {
            p.work(10_000);
            p.interrupt(sleeper);
        });
        SimResult r = sim.run(10_000_000);
        assertEquals(SimResult.Status.COMPLETED, r.status());
        assertTrue(seen[0] && seen[1]);
        assertFalse(seen[2], "interrupted() clears the status");
    }

    @Test
    void aCancelledTimeoutDoesNotWakeALaterPark() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).checkInvariants(true).build());
        SimTask sleeper = sim.spawn("sleeper", p -> {
            p.parkNanos(1_000_000); // woken early by unpark
            p.park(); // must not be woken by the stale 1 ms timeout
        });
        sim.spawn("waker", p -> {
            p.work(10_000);
            p.unpark(sleeper);
        });
        SimResult r = sim.run(10_000_000);
        assertEquals(SimResult.Status.ALL_BLOCKED, r.status());
        assertEquals(List.of("sleeper"), r.blockedTasks());
    }

    @Test
    void wokenTaskGoesToAnIdleCpuAndCountsTheMigration() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).checkInvariants(true).build());
        int[] wokeOn = {-1};
        sim.addListener(new SchedEventListener() {
            @Override
            public void onWakeup(SimTask task, int cpu, SimTask waker, long now) {
                wokeOn[0] = cpu;
                assertEquals("waker", waker.name());
            }
        });
        SimTask[] s = new SimTask[1];
        s[0] = sim.spawn("sleeper", SimPlatform::park);          // cpu 0
        sim.spawn("other", p -> p.work(2_000_000));              // cpu 1, busy
        sim.spawn("waker", p -> {                                 // cpu 0 once sleeper parks
            p.work(1_000);
            p.unpark(s[0]);                                       // cpu 0 busy (waker), cpu 1 busy: stays
            p.work(3_000_000);
        });
        sim.run(100_000_000);
        assertEquals(0, wokeOn[0], "no idle CPU: back to its previous CPU");
        assertEquals(0, s[0].migrations());
    }
}
