package io.taskscratch.sched;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.sched.workload.Workloads;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The EEVDF policy's rules on one CPU with zero costs, where every virtual runtime, deadline and
 * switch time follows by hand from fair.c's rules (the comments carry the arithmetic; base slice
 * 0.70 ms on one CPU, tick 4 ms).
 */
class EevdfPolicyTest {
    private static final long US = 1_000L;
    private static final long MS = 1_000_000L;

    private static SimConfig.Builder eevdf() {
        return SimConfig.builder().cpus(1).policy(EevdfPolicy.NAME).costs(CostProfile.ZERO).checkInvariants(true).seed(3);
    }

    @Test
    void baseSliceScalesWithTheLogOfTheCpuCountUpToEight() {
        long base = EevdfPolicy.NORMALIZED_BASE_SLICE_NS;
        assertEquals(700 * US, EevdfPolicy.scaledBaseSlice(base, 1));
        assertEquals(1_400 * US, EevdfPolicy.scaledBaseSlice(base, 2), "the 2-CPU test host: 1.4 ms");
        assertEquals(2_100 * US, EevdfPolicy.scaledBaseSlice(base, 4));
        assertEquals(2_800 * US, EevdfPolicy.scaledBaseSlice(base, 64), "capped at 8 CPUs");
        assertEquals(1_400 * US, new Simulation(eevdf().cpus(2).build()).policy().timeSlice(null, null), "what eevdf runs with");
    }

    @Test
    void sliceExpiresAtTheFirstTickAfterTheDeadline() {
        // Slice 6 ms: a forked task's first deadline is half a slice (3 ms) -> A to the 4 ms tick, B to 8 ms.
        // Then A (v 4, d 10 ms) runs from 8 ms until v reaches 10 ms at 14 ms -> the 16 ms tick; B likewise
        // to 24 ms; A again (v 12, d 18 ms, queued first) to the end at 25 ms.
        Simulation sim = new Simulation(eevdf().build(), new EevdfPolicy(6 * MS));
        List<Long> switches = new ArrayList<>();
        sim.addListener(new SchedEventListener() {
            @Override
            public void onSwitch(SimTask prev, SimTask next, int cpu, boolean preempt, long now) {
                if (prev != null && next != null) {
                    switches.add(now);
                }
            }
        });
        SimTask a = sim.spawnDaemon("a", Workloads.cpuHog(100 * US));
        SimTask b = sim.spawnDaemon("b", Workloads.cpuHog(100 * US));
        sim.run(25 * MS);
        assertEquals(List.of(4 * MS, 8 * MS, 16 * MS, 24 * MS), switches);
        assertEquals(13 * MS, a.runtimeNs());
        assertEquals(12 * MS, b.runtimeNs());
    }

    @Test
    void aWokenTaskWithPositiveLagPreemptsARunningTaskWithALaterDeadline() {
        // A runs 0-4 ms; B (v 0, d 350 us) runs at 4 ms for 100 us and parks eligible: V = (4000 + 100) / 2,
        // lag 1950 us saved. A runs alone from 4.1 ms (deadline renewed to v 5000 + 700 at the 5.1 ms wake-up).
        // B is placed at V - 2 * 1950 = 1100 us, deadline 1800 us; A (v 5000) is not eligible: B preempts at once.
        Simulation sim = new Simulation(eevdf().build());
        long[] back = new long[1];
        SimTask a = sim.spawnDaemon("a", Workloads.cpuHog(100 * US));
        SimTask b = sim.spawn("b", p -> {
            p.work(100 * US);
            p.parkNanos(MS);
            back[0] = p.now();
        });
        long[] placed = placementAtWakeup(sim);
        sim.run(20 * MS);
        assertEquals(1_100 * US, placed[0], "lag 1950 us kept, inflated by (n + 1) / n");
        assertEquals(1_800 * US, placed[1]);
        assertEquals(5_100 * US, back[0], "preempts at the wake-up, not at A's next tick (8 ms)");
        assertEquals(2, a.preemptions(), "the 4 ms tick and B's wake-up");
    }

    @Test
    void aSleeperWithNegativeLagKeepsItsPlaceAfterAShortSleep() {
        // B runs first (forked first) for 100 us and parks with A queued: V = (0 + 100) / 2 = 50 < 100, not
        // eligible, so it stays queued (DELAY_DEQUEUE). A wakes it 50 us later: V = (50 + 100) / 2 = 75, lag
        // still negative, so B keeps v 100 and deadline 350 us and does not preempt A.
        Simulation sim = new Simulation(eevdf().build());
        long[] back = new long[1];
        SimTask[] tasks = sleeperWokenAfter(sim, 50 * US, back);
        boolean[] delayedAtWake = new boolean[1];
        long[] placed = placementAtWakeup(sim);
        sim.addListener(new SchedEventListener() {
            @Override
            public void onSwitch(SimTask prev, SimTask next, int cpu, boolean preempt, long now) {
                if (prev == tasks[1] && prev.state() == TaskState.BLOCKED) {
                    delayedAtWake[0] = tasks[1].delayed;
                }
            }
        });
        sim.run(20 * MS);
        assertTrue(delayedAtWake[0], "parked while not eligible: stays queued");
        assertEquals(100 * US, placed[0], "negative lag kept: same virtual runtime");
        assertEquals(350 * US, placed[1], "same deadline (half a slice after its start)");
        assertEquals(4 * MS, back[0], "no wake-up preemption: A keeps its protected slice to the 4 ms tick");
        assertFalse(tasks[1].delayed);
    }

    @Test
    void aLongSleepTurnsTheLagPositiveAndTheSleeperIsPlacedWithLagZero() {
        // The same, but A wakes B after 2 ms: V = (2000 + 100) / 2 = 1050 > 100, the lag turned positive: B
        // leaves the average and is placed with lag 0 at the V of the rest, A's 2000 us (requeue_delayed_entity,
        // DELAY_ZERO), deadline 2000 + 700 us.
        Simulation sim = new Simulation(eevdf().build());
        sleeperWokenAfter(sim, 2 * MS, new long[1]);
        long[] placed = placementAtWakeup(sim);
        sim.run(20 * MS);
        assertEquals(2_000 * US, placed[0]);
        assertEquals(2_700 * US, placed[1]);
    }

    /** B (forked first) works 100 us and parks; A works {@code wakeAfterNs}, unparks B and spins; B notes when it runs again. */
    private static SimTask[] sleeperWokenAfter(Simulation sim, long wakeAfterNs, long[] back) {
        SimTask[] tasks = new SimTask[2];
        tasks[1] = sim.spawn("b", p -> {
            p.work(100 * US);
            p.park();
            back[0] = p.now();
        });
        tasks[0] = sim.spawnDaemon("a", p -> {
            p.work(wakeAfterNs);
            p.unpark(tasks[1]);
            while (true) {
                p.work(100 * US);
            }
        });
        return tasks;
    }

    /** The woken task's virtual runtime and deadline just after its placement (the last wake-up of the run). */
    private static long[] placementAtWakeup(Simulation sim) {
        long[] placed = new long[2];
        sim.addListener(new SchedEventListener() {
            @Override
            public void onWakeup(SimTask task, int cpu, SimTask waker, long now) {
                placed[0] = task.vruntime;
                placed[1] = task.deadline;
            }
        });
        return placed;
    }

    @Test
    void aDelayedSleeperWakesOnItsOwnCpuEvenWithAnotherIdle() {
        // CPU 0: C (forked first, runs first) and A; CPU 1: B, which exits at once and leaves CPU 1 idle. C parks
        // at 100 us not eligible (V 50 us), so it stays queued on CPU 0; its timer at 150 us wakes it there
        // (ttwu_runnable), not onto the idle CPU 1 where a sleeper that left its queue goes.
        for (String policy : List.of(EevdfPolicy.NAME, FairPolicy.NAME)) {
            Simulation sim = new Simulation(eevdf().cpus(2).policy(policy).idleStealing(false).balanceIntervalNs(1_000 * MS).build());
            int[] wokeOn = {-1};
            SimTask c = sim.spawn("c", p -> {
                p.work(100 * US);
                p.parkNanos(50 * US);
            });
            sim.spawn("b", p -> { });
            sim.spawnDaemon("a", Workloads.cpuHog(100 * US));
            sim.addListener(new SchedEventListener() {
                @Override
                public void onWakeup(SimTask task, int cpu, SimTask waker, long now) {
                    if (task == c) {
                        wokeOn[0] = cpu;
                    }
                }
            });
            sim.run(20 * MS);
            assertEquals(policy.equals(EevdfPolicy.NAME) ? 0 : 1, wokeOn[0], policy);
        }
    }

    @Test
    void sameSeedSameTraceWithEevdfAndADifferentOneFromFair() {
        SimConfig c = SimConfig.builder().cpus(2).policy(EevdfPolicy.NAME).seed(11).build();
        String first = Scenarios.mixed(c, 20 * MS).sha256();
        assertEquals(first, Scenarios.mixed(c, 20 * MS).sha256());
        assertEquals(first, Scenarios.mixed(c.toBuilder().threads(ThreadKind.PLATFORM).checkInvariants(true).build(), 20 * MS).sha256());
        assertNotEquals(first, Scenarios.mixed(c.toBuilder().policy(FairPolicy.NAME).build(), 20 * MS).sha256());
    }

    @Test
    void anUnknownPolicyIsRefusedByNameListingEevdf() {
        ScratchException e = assertThrows(ScratchException.class, () -> SimConfig.builder().policy("cfs").build());
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("policy 'cfs'"), e.getMessage());
        assertTrue(e.getMessage().contains("rr, fair, eevdf"), e.getMessage());
        assertEquals(EevdfPolicy.NAME, new Simulation(eevdf().build()).policy().name());
    }
}
