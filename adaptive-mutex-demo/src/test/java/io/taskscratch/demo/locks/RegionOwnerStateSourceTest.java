package io.taskscratch.demo.locks;

import io.taskscratch.mutex.OwnerState;
import io.taskscratch.mutex.RegionOwnerStateSource;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.sched.SchedScratch;
import io.taskscratch.sched.SimConfig;
import io.taskscratch.sched.SimPlatform;
import io.taskscratch.sched.SimTask;
import io.taskscratch.sched.Simulation;
import io.taskscratch.task.TaskHandle;
import io.taskscratch.writer.PinnedWriter;
import io.taskscratch.writer.WriteContext;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegionOwnerStateSourceTest {
    private static RegionOwnerStateSource pinnedSource(Simulation sim, SchedScratch scratch, long sliceNs) {
        return new RegionOwnerStateSource("pinned", scratch.rcu(), SchedScratch::regionOf, sim.platform()::nanoTime, sliceNs);
    }

    @Test
    void simulatedOwnersAreRunningExactlyWhileOnCpu() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).seed(4).build());
        SchedScratch scratch = SchedScratch.attach(sim, SchedScratch.Options.pinned(4));
        RegionOwnerStateSource src = pinnedSource(sim, scratch, 0);
        List<SimTask> tasks = new ArrayList<>();
        int[] checks = new int[2];
        for (int i = 0; i < 5; i++) {
            tasks.add(sim.spawnDaemon("t" + i, scratch.registered(p -> {
                while (true) {
                    for (SimTask other : tasks) {
                        if (SchedScratch.regionOf(other) == null) {
                            continue; // not registered yet
                        }
                        long token = src.enterRead();
                        OwnerState s = src.ownerState(other);
                        src.exitRead(token);
                        assertEquals(other.onCpu() ? OwnerState.RUNNING : OwnerState.NOT_RUNNING, s, other.toString());
                        checks[other.onCpu() ? 0 : 1]++;
                    }
                    p.work(p.random().nextLong(500_000));
                    if (p.random().nextInt(4) == 0) {
                        p.parkNanos(100_000);
                    }
                }
            })));
        }
        SimTask unregistered = sim.spawnDaemon("plain", p -> p.work(1_000));
        sim.run(20_000_000L);
        assertTrue(checks[0] > 10 && checks[1] > 10, "saw running and not-running owners: " + checks[0] + "/" + checks[1]);
        assertEquals(OwnerState.UNKNOWN, src.ownerState(unregistered), "no region: unknown");
        scratch.close();
    }

    /** A task body that records {@code shouldYield} answers of the source into {@code out}. */
    private interface YieldScenario {
        void run(SimPlatform p, RegionOwnerStateSource src, boolean[] out);
    }

    /** What the source advised at two points of {@code body}, run by "a" on 1 CPU beside a short "b". */
    private static boolean[] yieldAdvice(YieldScenario body) {
        Simulation sim = new Simulation(SimConfig.builder().cpus(1).seed(4).build());
        SchedScratch scratch = SchedScratch.attach(sim, SchedScratch.Options.pinned(4));
        RegionOwnerStateSource src = pinnedSource(sim, scratch, 200_000);
        boolean[] seen = new boolean[2];
        sim.spawn("a", scratch.registered(p -> body.run(p, src, seen)));
        sim.spawn("b", scratch.registered(p -> p.work(1_000)));
        sim.run(50_000_000L);
        scratch.close();
        return seen;
    }

    @Test
    void shouldYieldOnceTheSpinnerUsedItsSlice() {
        boolean[] seen = yieldAdvice((p, src, out) -> {
            p.yieldCpu(); // a switch gives the region a last_switch_ns
            p.work(1_000);
            out[0] = src.shouldYield(p.currentTask());
            p.work(300_000);
            out[1] = src.shouldYield(p.currentTask());
        });
        assertFalse(seen[0], "fresh on the CPU");
        assertTrue(seen[1], "a whole slice on the CPU");
    }

    @Test
    void noYieldAdviceBeforeTheRegionRecordedASwitch() {
        boolean[] seen = yieldAdvice((p, src, out) -> {
            p.work(300_000); // a whole slice, but no switch since registration: last_switch_ns is unset
            out[0] = src.shouldYield(p.currentTask());
            p.yieldCpu();
            p.work(300_000);
            out[1] = src.shouldYield(p.currentTask());
        });
        assertFalse(seen[0], "registration wrote no last_switch_ns: no advice");
        assertTrue(seen[1], "a recorded switch-in, then a whole slice");
    }

    @Test
    void nativeThreadsReadTheirRegionsThroughADirectory() throws Exception {
        RegionAllocator alloc = RegionAllocator.create(RegionLayout.defaults(), PinMode.UNPINNED);
        Map<Thread, ScratchRegion> directory = new ConcurrentHashMap<>();
        Rcu rcu = Rcu.create("test");
        RegionOwnerStateSource src = new RegionOwnerStateSource("pinned", rcu,
                t -> t instanceof NativePlatform.ThreadTask tt ? directory.get(tt.thread()) : null, System::nanoTime, 0);
        PinnedWriter writer = new PinnedWriter();
        PlatformTask[] owner = new PlatformTask[1];
        ScratchRegion[] region = new ScratchRegion[1];
        Thread t = new Thread(() -> {
            TaskHandle self = TaskHandle.current();
            region[0] = alloc.allocate(self);
            directory.put(Thread.currentThread(), region[0]);
            owner[0] = NativePlatform.instance().currentTask();
            writer.switchIn(WriteContext.task(self), region[0], 0, System.nanoTime(), false);
        });
        t.start();
        t.join();
        assertEquals(OwnerState.RUNNING, src.ownerState(owner[0]));
        writer.switchOut(WriteContext.task(region[0].owner()), region[0], System.nanoTime(), true);
        assertEquals(OwnerState.NOT_RUNNING, src.ownerState(owner[0]));
        region[0].close();
        assertEquals(OwnerState.UNKNOWN, src.ownerState(owner[0]), "a freed region reads as unknown");
        assertEquals(OwnerState.UNKNOWN, src.ownerState(NativePlatform.instance().currentTask()), "no region");
        assertEquals("lossy-10%", RegionOwnerStateSource.nameFor("lossy", 0.1));
        assertEquals("rseq-2.5%", RegionOwnerStateSource.nameFor("rseq", 0.025));
        rcu.close();
    }
}
