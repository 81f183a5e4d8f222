package io.taskscratch.sched;

import io.taskscratch.hook.HookLink;
import io.taskscratch.hook.HookProgram;
import io.taskscratch.hook.Tracepoint;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.region.HeaderSnapshot;
import io.taskscratch.sched.workload.SpinParkLock;
import io.taskscratch.sched.workload.Workloads;
import io.taskscratch.task.TaskHandle;
import io.taskscratch.writer.WriterStats;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedStateHookTest {
    private static final long RUN_NS = 20_000_000L;

    /** Contention, hogs (preemptions), timed parks (wakeups, migrations), forks and exits, all registered. */
    private static List<SimTask> busy(Simulation sim, SchedScratch scratch) {
        List<SimTask> workers = new ArrayList<>();
        SpinParkLock lock = new SpinParkLock(sim.platform(), 20);
        for (int i = 0; i < 5; i++) {
            workers.add(sim.spawnDaemon("locker-" + i, scratch.registered(p -> {
                while (true) {
                    lock.lock();
                    p.work(500 + p.random().nextLong(3_000));
                    lock.unlock();
                    p.work(p.random().nextLong(5_000));
                    if (p.random().nextInt(50) == 0) {
                        p.parkNanos(p.random().nextLong(200_000));
                    }
                }
            })));
        }
        Workloads.addHogs(sim, 1, 300_000);
        sim.spawn("forker", scratch.registered(p -> {
            for (int i = 0; i < 4; i++) {
                p.fork("kid-" + i, scratch.registered(q -> {
                    q.work(q.random().nextLong(2_000_000));
                    q.parkNanos(q.random().nextLong(1_000_000));
                    q.work(100_000);
                }));
                p.parkNanos(1_000_000);
            }
        }));
        return workers;
    }

    private static Simulation checkedSim(long seed) {
        return new Simulation(SimConfig.builder().cpus(3).seed(seed).checkInvariants(true).build());
    }

    @Test
    void pinnedRegionsAgreeWithTheModelAfterEveryEvent() {
        Simulation sim = checkedSim(11);
        SchedScratch scratch = SchedScratch.attach(sim, SchedScratch.Options.pinned(11));
        sim.addInvariant(scratch.agreement());
        busy(sim, scratch);
        sim.run(RUN_NS);
        scratch.bridge().checkNoFailures();
        WriterStats w = scratch.writerStats();
        assertTrue(w.attempts() > 100, "the hook wrote: " + w);
        assertEquals(0, w.failed(), "pinned writes never fail: " + w);
        long migrations = 0;
        long preemptions = 0;
        for (SimTask t : sim.tasks()) {
            if (SchedScratch.regionOf(t) == null || t.state() == TaskState.EXITED) {
                continue;
            }
            HeaderSnapshot h = SchedScratch.regionOf(t).snapshot();
            assertEquals(t.onCpu(), h.onCpu(), t.toString());
            migrations += h.migrations();
            preemptions += h.preemptions();
        }
        assertTrue(migrations > 0 && preemptions > 0, "the run exercised migrations " + migrations + " and preemptions " + preemptions);
        scratch.close();
    }

    @Test
    void lossyWriterDroppingEverythingTripsTheAgreementCheck() {
        Simulation sim = checkedSim(11);
        SchedScratch scratch = SchedScratch.attach(sim, SchedScratch.Options.lossy(1.0, 0, 11));
        sim.addInvariant(scratch.agreement());
        busy(sim, scratch);
        SimFailureException e = assertThrows(SimFailureException.class, () -> sim.run(RUN_NS));
        assertEquals(SimFailureException.Kind.INVARIANT, e.kind());
        assertTrue(e.getMessage().contains("(LOSSY)"), e.getMessage());
        scratch.close();
    }

    @Test
    void rseqHintWithLostClearsTripsTheAgreementCheck() {
        Simulation sim = checkedSim(5);
        SchedScratch scratch = SchedScratch.attach(sim, SchedScratch.Options.rseq(0.5, 5));
        sim.addInvariant(scratch.agreement());
        busy(sim, scratch);
        SimFailureException e = assertThrows(SimFailureException.class, () -> sim.run(RUN_NS));
        assertEquals(SimFailureException.Kind.INVARIANT, e.kind());
        scratch.close();
    }

    @Test
    void lossyWithoutPressureLosesOnlyMigrationsToEperm() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(3).seed(3).build());
        SchedScratch scratch = SchedScratch.attach(sim, SchedScratch.Options.lossy(0, 0, 3));
        List<SimTask> workers = busy(sim, scratch);
        sim.run(RUN_NS);
        WriterStats w = scratch.writerStats();
        assertEquals(0, w.efault(), "nothing evicted: " + w);
        assertTrue(w.eperm() > 0, "migrations are written for a task that is not current: " + w);
        for (SimTask t : workers) {
            HeaderSnapshot h = SchedScratch.regionOf(t).snapshot();
            assertEquals(t.onCpu(), h.onCpu(), "switches land: " + t);
            assertEquals(0, h.migrations(), "migrations never land: " + t);
        }
        scratch.close();
    }

    @Test
    void naiveSchedSwitchProgramCannotProbeWriteNext() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).seed(3).build());
        SchedScratch scratch = SchedScratch.attach(sim, new SchedScratch.Options(SchedScratch.WriterKind.LOSSY, 0, 0,
                SchedStateHook.SwitchInContext.PREV, 3));
        List<SimTask> workers = busy(sim, scratch);
        sim.run(RUN_NS);
        long switches = 0;
        for (SimTask t : workers) {
            HeaderSnapshot h = SchedScratch.regionOf(t).snapshot();
            switches += h.switches();
            assertFalse(h.onCpu() && !t.onCpu(), "switch-outs land: " + t);
        }
        WriterStats w = scratch.writerStats();
        assertTrue(w.eperm() * 2 >= w.attempts() - 10, "every switch-in fails with EPERM: " + w);
        assertTrue(switches > 0, "switch-outs landed");
        scratch.close();
    }

    @Test
    void bridgeFiresEveryTracepointAndExitReleasesStorage() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(3).seed(1).build());
        SchedScratch scratch = SchedScratch.attach(sim, SchedScratch.Options.pinned(1));
        Map<Tracepoint, Integer> counts = new EnumMap<>(Tracepoint.class);
        List<HookLink> links = new ArrayList<>();
        for (Tracepoint tp : Tracepoint.values()) {
            links.add(scratch.bridge().registry().attach(tp, HookProgram.of("count-" + tp, ctx -> counts.merge(tp, 1, Integer::sum)), false));
        }
        busy(sim, scratch);
        SimTask[] child = new SimTask[1];
        sim.spawn("parent", scratch.registered(p -> {
            child[0] = p.fork("child", scratch.registered(q -> q.work(10_000)));
            p.parkNanos(50_000);
            p.work(10_000);
        }));
        sim.run(RUN_NS);
        for (Tracepoint tp : Tracepoint.values()) {
            assertTrue(counts.getOrDefault(tp, 0) > 0, tp + " fired: " + counts);
        }
        TaskHandle h = scratch.bridge().handle(child[0]);
        assertFalse(h.isAlive(), "the child's handle exited with it");
        try (var section = scratch.rcu().read(Flavor.NORMAL)) {
            assertNull(scratch.map().taskStorageGet(h, 0), "its storage was released");
        }
        assertNotNull(SchedScratch.regionOf(child[0]));
        links.forEach(HookLink::close);
        scratch.close();
    }
}
