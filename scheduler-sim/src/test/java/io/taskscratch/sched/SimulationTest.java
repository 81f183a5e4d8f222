package io.taskscratch.sched;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.sched.workload.SpinParkLock;
import io.taskscratch.sched.workload.Workloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulationTest {
    static SimConfig.Builder cfg(int cpus) {
        return SimConfig.builder().cpus(cpus).checkInvariants(true).seed(7);
    }

    @Test
    void singleTaskWorkTakesWorkPlusOneContextSwitch() {
        SimConfig c = cfg(1).contextSwitchNs(1_000).build();
        Simulation sim = new Simulation(c);
        long[] seen = new long[2];
        SimTask t = sim.spawn("a", p -> {
            seen[0] = p.now();
            p.work(5_000);
            seen[1] = p.now();
        });
        SimResult r = sim.run(1_000_000);
        assertEquals(SimResult.Status.COMPLETED, r.status());
        assertEquals(1_000, seen[0], "first code runs after the switch-in cost");
        assertEquals(6_000, seen[1]);
        assertEquals(6_000, t.runtimeNs());
        assertEquals(TaskState.EXITED, t.state());
        assertEquals(2, t.switches(), "one switch in, one out");
        assertFalse(t.onCpu());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void sliceEndPreemptsAndWorkResumesWhereItStopped(ThreadKind kind) {
        SimConfig c = cfg(1).policy("rr").rrSliceNs(1_000_000).contextSwitchNs(0).threads(kind).build();
        Simulation sim = new Simulation(c);
        long[] end = new long[2];
        SimTask a = sim.spawn("a", p -> { p.work(3_000_000); end[0] = p.now(); });
        SimTask b = sim.spawn("b", p -> { p.work(3_000_000); end[1] = p.now(); });
        SimResult r = sim.run(100_000_000);
        assertEquals(SimResult.Status.COMPLETED, r.status());
        // a: 0-1, b: 1-2, a: 2-3, b: 3-4, a: 4-5, b: 5-6 ms
        assertEquals(5_000_000, end[0]);
        assertEquals(6_000_000, end[1]);
        assertEquals(2, a.preemptions());
        assertEquals(2, b.preemptions());
        assertEquals(3_000_000, a.runtimeNs());
        assertEquals(3_000_000, b.waitTimeNs() - 0 - 0, "b waits 1+1+1 ms");
    }

    @Test
    void parkUnparkPingPongAndPermitSemantics() {
        Simulation sim = new Simulation(cfg(2).build());
        List<String> log = new ArrayList<>();
        SimTask[] tasks = new SimTask[2];
        tasks[0] = sim.spawn("ping", p -> {
            for (int i = 0; i < 3; i++) {
                log.add("ping" + i);
                p.unpark(tasks[1]);
                p.park();
            }
            p.unpark(tasks[1]);
        });
        tasks[1] = sim.spawn("pong", p -> {
            for (int i = 0; i < 3; i++) {
                p.park();
                log.add("pong" + i);
                p.unpark(tasks[0]);
            }
        });
        SimResult r = sim.run(10_000_000);
        assertEquals(SimResult.Status.COMPLETED, r.status());
        assertEquals(List.of("ping0", "pong0", "ping1", "pong1", "ping2", "pong2"), log);
    }

    @Test
    void unparkBeforeParkMakesParkReturnAtOnceButOnlyOnce() {
        Simulation sim = new Simulation(cfg(1).build());
        long[] times = new long[3];
        sim.spawn("self", p -> {
            p.unpark(p.currentTask());
            p.unpark(p.currentTask());
            times[0] = p.now();
            p.park();
            times[1] = p.now();
            p.parkNanos(50_000);
            times[2] = p.now();
        });
        sim.run(10_000_000);
        assertEquals(times[0], times[1], "permit consumed without blocking");
        assertTrue(times[2] - times[1] >= 50_000, "second park blocks: permits do not accumulate");
    }

    @Test
    void parkNanosTimesOutAndZeroReturnsImmediately() {
        Simulation sim = new Simulation(cfg(1).costs(CostProfile.ZERO).build());
        long[] t = new long[3];
        sim.spawn("sleeper", p -> {
            t[0] = p.now();
            p.parkNanos(0);
            t[1] = p.now();
            p.parkNanos(1_000_000);
            t[2] = p.now();
        });
        sim.run(10_000_000);
        assertEquals(t[0], t[1]);
        assertEquals(1_000_000, t[2] - t[1]);
    }

    @Test
    void allParkedForeverEndsAsAllBlockedNamingTheTasks() {
        Simulation sim = new Simulation(cfg(2).build());
        sim.spawn("stuck-a", SimPlatform::park);
        sim.spawn("stuck-b", SimPlatform::park);
        SimResult r = sim.run(1_000_000_000L);
        assertEquals(SimResult.Status.ALL_BLOCKED, r.status());
        assertEquals(List.of("stuck-a", "stuck-b"), r.blockedTasks());
    }

    @Test
    void lockContentionKeepsMutualExclusionAndHogsPreemptHolders() {
        Simulation sim = new Simulation(cfg(2).build());
        SpinParkLock lock = new SpinParkLock(sim.platform(), 50);
        Workloads.ContentionStats stats = Workloads.lockContention(sim, lock, 8, 2_000, 2_000);
        Workloads.addHogs(sim, 2, 200_000);
        int[] holderPreempted = new int[1];
        sim.addListener(new SchedEventListener() {
            @Override
            public void onSwitch(SimTask prev, SimTask next, int cpu, boolean preempt, long now) {
                if (preempt && prev != null && prev == lock.owner()) {
                    holderPreempted[0]++;
                }
            }
        });
        SimResult r = sim.run(60_000_000);
        assertTrue(holderPreempted[0] > 0, "lock holders get preempted");
        assertEquals(SimResult.Status.TIME_LIMIT, r.status());
        assertEquals(1, stats.maxInside());
        assertTrue(stats.total() > 100, "acquisitions " + stats.total());
        long preempted = sim.tasks().stream().filter(t -> t.name().startsWith("worker")).mapToLong(SimTask::preemptions).sum();
        assertTrue(preempted > 0, "workers get preempted");
        for (int i = 0; i < 8; i++) {
            assertTrue(stats.acquisitions(i) > 0, "worker " + i + " starved");
        }
    }

    @Test
    void loadBalancingSpreadsTasksAndCountsMigrations() {
        SimConfig c = cfg(4).build();
        Simulation sim = new Simulation(c);
        int[] migrateEvents = new int[1];
        sim.addListener(new SchedEventListener() {
            @Override
            public void onMigrate(SimTask task, int fromCpu, int toCpu, long now) {
                assertTrue(fromCpu != toCpu);
                migrateEvents[0]++;
            }
        });
        // One task forks 7 CPU-bound children from CPU 0, then parks for a while.
        sim.spawn("parent", p -> {
            for (int i = 0; i < 7; i++) {
                p.fork("child-" + i, q -> q.work(20_000_000));
            }
            p.work(20_000_000);
        });
        SimResult r = sim.run(1_000_000_000L);
        assertEquals(SimResult.Status.COMPLETED, r.status());
        int[] perCpu = new int[4];
        for (SimTask t : sim.tasks()) {
            assertEquals(20_000_000, t.runtimeNs() - t.switches() / 2 * c.contextSwitchNs() + 0 * 0 + 0, 0.2 * 20_000_000, t.name());
            perCpu[t.cpu()]++;
        }
        long totalMigrations = sim.tasks().stream().mapToLong(SimTask::migrations).sum();
        assertEquals(totalMigrations, migrateEvents[0]);
        // 8 tasks x 20 ms on 4 CPUs: with balancing done in about 40 ms of virtual time
        assertTrue(r.virtualTimeNs() < 50_000_000, "took " + r.virtualTimeNs());
        for (int n : perCpu) {
            assertTrue(n > 0, "every CPU got work");
        }
    }

    @Test
    void fairPolicyGivesEqualShares() {
        Simulation sim = new Simulation(cfg(1).build());
        Workloads.addHogs(sim, 3, 100_000);
        sim.run(60_000_000);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (SimTask t : sim.tasks()) {
            min = Math.min(min, t.runtimeNs());
            max = Math.max(max, t.runtimeNs());
        }
        assertTrue(max - min <= 2 * 2_000_000 + 100_000, "shares " + min + ".." + max);
        assertTrue(min > 15_000_000);
    }

    @Test
    void fairWakeupPreemptionRunsTheSleeperAtOnceOnlyWhenEnabled() {
        for (boolean enabled : new boolean[]{true, false}) {
            Simulation sim = new Simulation(cfg(1).wakeupPreemption(enabled).contextSwitchNs(0).build());
            long[] times = new long[2];
            sim.spawnDaemon("hog", Workloads.cpuHog(100_000));
            sim.spawn("sleeper", p -> {
                times[0] = p.now();
                p.parkNanos(10_000_000);
                times[1] = p.now();
            });
            sim.run(100_000_000);
            long delay = times[1] - times[0] - 10_000_000;
            if (enabled) {
                assertTrue(delay <= 100_000, "preempts the hog, delay " + delay);
            } else {
                assertTrue(delay > 100_000, "waits for the slice end, delay " + delay);
            }
        }
    }

    /** CFS's tick recomputes the slice from the queue length: company cuts a lone task's 6 ms slice to 3 ms. */
    @Test
    void aTaskThatRanAloneGetsTheShorterSliceOnceAnotherWaits() {
        for (long sleep : new long[] {1_000_000, 7_000_000}) {
            Simulation sim = new Simulation(cfg(1).costs(CostProfile.ZERO).wakeupPreemption(false).build());
            long[] t = {-1, -1};
            sim.spawnDaemon("hog", Workloads.cpuHog(100_000));
            sim.spawn("sleeper", p -> {
                t[0] = p.now();
                p.parkNanos(sleep);
                t[1] = p.now();
            });
            sim.run(100_000_000);
            // The sleeper parks at 6 ms; the hog, alone from then on, gets a 6 ms slice (to 12 ms, then 18 ms).
            assertEquals(6_000_000, t[0]);
            // Back at 7 ms: the two-task slice, 3 ms from the hog's switch-in at 6 ms, ends at 9 ms (not 12).
            // Back at 13 ms: that slice is used up, so it ends at the next 4 ms tick, 16 ms (not 18).
            assertEquals(sleep == 1_000_000 ? 9_000_000 : 16_000_000, t[1], "sleep " + sleep);
        }
    }

    @Test
    void yieldSwitchesOnlyWhenSomeoneElseIsQueued() {
        Simulation sim = new Simulation(cfg(1).policy("rr").build());
        List<String> log = new ArrayList<>();
        sim.spawn("a", p -> {
            p.yieldCpu();
            log.add("a");
        });
        sim.spawn("b", p -> log.add("b"));
        sim.run(1_000_000);
        assertEquals(List.of("b", "a"), log);
    }

    @Test
    void forkAndExitFireEventsInOrder() {
        Simulation sim = new Simulation(cfg(2).build());
        List<String> log = new ArrayList<>();
        sim.addListener(new SchedEventListener() {
            @Override
            public void onFork(SimTask parent, SimTask child, long now) {
                log.add("fork " + (parent == null ? "-" : parent.name()) + ">" + child.name());
            }

            @Override
            public void onExit(SimTask task, long now) {
                log.add("exit " + task.name());
            }
        });
        sim.spawn("root", p -> {
            p.fork("kid", q -> q.work(1_000));
            p.work(10_000);
        });
        sim.run(1_000_000);
        assertEquals(List.of("fork ->root", "fork root>kid", "exit kid", "exit root"), log);
    }

    @Test
    void manyCpus() {
        Simulation sim = new Simulation(cfg(256).build());
        for (int i = 0; i < 300; i++) {
            sim.spawn("t" + i, p -> p.work(1_000_000));
        }
        SimResult r = sim.run(100_000_000);
        assertEquals(SimResult.Status.COMPLETED, r.status());
        assertTrue(r.virtualTimeNs() < 10_000_000, "" + r.virtualTimeNs());
    }

    @Test
    void platformCallsOutsideATaskAreRefused() {
        Simulation sim = new Simulation(cfg(1).build());
        ScratchException e = assertThrows(ScratchException.class, () -> sim.platform().work(1));
        assertEquals(Errno.EPERM, e.errno());
        assertTrue(e.getMessage().contains("not the running simulated task"), e.getMessage());
    }

    @Test
    void runTwiceAndSpawnAfterRunAreRefused() {
        Simulation sim = new Simulation(cfg(1).build());
        sim.spawn("a", p -> p.work(1));
        sim.run(1_000);
        assertEquals(Errno.EBUSY, assertThrows(ScratchException.class, () -> sim.run(1_000)).errno());
        ScratchException e = assertThrows(ScratchException.class, () -> sim.spawn("b", p -> { }));
        assertEquals(Errno.EBUSY, e.errno());
        assertTrue(e.getMessage().contains("spawn"));
    }
}
