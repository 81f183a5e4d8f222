package io.taskscratch.sched;

import io.taskscratch.sched.trace.Trace;
import io.taskscratch.sched.trace.TraceEvent;
import io.taskscratch.sched.trace.TraceReader;
import io.taskscratch.sched.trace.TraceRecorder;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each cost of {@link CostProfile} is charged where the model says, and only there (every other cost 0). */
class CostChargingTest {
    private static final long LATENCY = 7_000;

    private static SimConfig.Builder zero(int cpus) {
        return SimConfig.builder().cpus(cpus).costs(CostProfile.ZERO).checkInvariants(true);
    }

    /** A sleeper parks; a waker (on another CPU when there are 2) unparks it at a known time. */
    private record WakeRun(long unparkAt, long wakerBack, long wakeupEventAt, long sleeperOffCpuAt,
                           long wakerRuntime, String header) {
    }

    private static WakeRun wakeRun(SimConfig config) {
        Simulation sim = new Simulation(config);
        TraceRecorder rec = TraceRecorder.attach(sim);
        long[] t = new long[2];
        SimTask sleeper = sim.spawn("sleeper", SimPlatform::park);
        SimTask[] sl = {sleeper};
        SimTask waker = sim.spawn("waker", p -> {
            p.work(50_000);
            t[0] = p.now();
            p.unpark(sl[0]);
            t[1] = p.now();
        });
        sim.run(10_000_000);
        Trace tr = TraceReader.read(rec.toByteArray());
        long wakeup = -1;
        long off = -1;
        for (TraceEvent e : tr.events()) {
            if (e instanceof TraceEvent.Wakeup w && w.task() == sleeper.id()) {
                wakeup = w.timeNs();
            }
            if (e instanceof TraceEvent.Switch s && s.prev() == sleeper.id() && off < 0) {
                off = s.timeNs();
            }
        }
        return new WakeRun(t[0], t[1], wakeup, off, waker.runtimeNs(), tr.configuration());
    }

    @Test
    void wakeupOntoAnIdleCpuMakesTheWakeeRunnableExactlyTheLatencyLater() {
        WakeRun r = wakeRun(zero(2).wakeupIdleNs(LATENCY).build());
        assertEquals(r.unparkAt() + LATENCY, r.wakeupEventAt(), "sched_wakeup in the trace");
        WakeRun busyOnly = wakeRun(zero(2).wakeupBusyNs(LATENCY).build());
        assertEquals(busyOnly.unparkAt(), busyOnly.wakeupEventAt(), "an idle target does not pay the busy latency");
    }

    @Test
    void wakeupOntoABusyCpuPaysTheBusyLatency() {
        // One CPU: the waker runs there, so the sleeper's CPU is busy.
        WakeRun r = wakeRun(zero(1).wakeupBusyNs(LATENCY).build());
        assertEquals(r.unparkAt() + LATENCY, r.wakeupEventAt());
        WakeRun idleOnly = wakeRun(zero(1).wakeupIdleNs(LATENCY).build());
        assertEquals(idleOnly.unparkAt(), idleOnly.wakeupEventAt(), "a busy target does not pay the idle latency");
    }

    @Test
    void unparkChargesTheWakerItsCostAsRunTime() {
        WakeRun free = wakeRun(zero(2).build());
        WakeRun idle = wakeRun(zero(2).unparkIdleNs(3_000).build());
        assertEquals(idle.unparkAt() + 3_000, idle.wakerBack(), "the unpark call returns after its cost");
        assertEquals(free.wakerRuntime() + 3_000, idle.wakerRuntime(), "charged as the waker's run time");
        WakeRun busy = wakeRun(zero(1).unparkBusyNs(2_000).build());
        assertEquals(busy.unparkAt() + 2_000, busy.wakerBack());
        WakeRun busyPaysNoIdleCost = wakeRun(zero(1).unparkIdleNs(3_000).build());
        assertEquals(busyPaysNoIdleCost.unparkAt(), busyPaysNoIdleCost.wakerBack());
    }

    @Test
    void parkRunsItsCostBeforeLeavingTheCpu() {
        WakeRun r = wakeRun(zero(2).parkNs(4_000).build());
        assertEquals(4_000, r.sleeperOffCpuAt(), "the sleeper parks at 0 and leaves its CPU after the park cost");
        WakeRun free = wakeRun(zero(2).build());
        assertEquals(0, free.sleeperOffCpuAt());
    }

    @Test
    void yieldWithAnEmptyQueueCostsTheYieldCostAndWithAQueueSwitches() {
        long[] t = new long[2];
        Simulation sim = new Simulation(zero(1).yieldNs(900).build());
        sim.spawn("alone", p -> {
            t[0] = p.now();
            p.yieldCpu();
            t[1] = p.now();
        });
        sim.run(1_000_000);
        assertEquals(900, t[1] - t[0]);

        long[] u = new long[3];
        Simulation two = new Simulation(zero(1).yieldNs(900).build());
        two.spawn("a", p -> {
            p.work(1_000);
            u[0] = p.now();
            p.yieldCpu();
            u[1] = p.now();
        });
        two.spawn("b", p -> u[2] = p.now());
        two.run(1_000_000);
        assertEquals(u[0], u[2], "b runs at once on a's yield: no yield cost with a queue");
    }

    @Test
    void clockReadsCostTheClockCostAndNowIsFree() {
        long[] t = new long[4];
        Simulation sim = new Simulation(zero(1).clockReadNs(25).build());
        sim.spawn("reader", p -> {
            t[0] = p.now();
            t[1] = p.nanoTime();
            t[2] = p.now();
            t[3] = p.now();
        });
        sim.run(1_000_000);
        assertEquals(t[0] + 25, t[1], "nanoTime returns when the read completes");
        assertEquals(t[1], t[2]);
        assertEquals(t[2], t[3], "now() is a free query");
    }

    @Test
    void spinPauseAndContextSwitchCostTheirProfileValues() {
        long[] t = new long[2];
        Simulation sim = new Simulation(zero(1).spinPauseNs(33).build());
        sim.spawn("spinner", p -> {
            t[0] = p.now();
            p.spinPause();
            t[1] = p.now();
        });
        sim.run(1_000_000);
        assertEquals(33, t[1] - t[0]);
    }

    @Test
    void spinLoadsCostTheirPicosecondsRoundedToTheNearestNanosecond() {
        long[] t = new long[4];
        Simulation sim = new Simulation(zero(1).spinLoadPs(1_300).build());
        sim.spawn("poller", p -> {
            t[0] = p.now();
            p.spinLoads(256);
            t[1] = p.now();
            p.spinLoads(1);
            t[2] = p.now();
            p.spinLoads(0);
            t[3] = p.now();
        });
        sim.run(1_000_000);
        assertEquals(333, t[1] - t[0], "256 x 1.3 ns = 332.8 ns");
        assertEquals(1, t[2] - t[1], "1.3 ns rounds to 1");
        assertEquals(0, t[3] - t[2]);
    }

    @Test
    void aTimedParkExpiresTheTimerSlackLate() {
        long[] t = new long[2];
        Simulation sim = new Simulation(zero(1).timerSlackNs(50_000).build());
        sim.spawn("sleeper", p -> {
            t[0] = p.now();
            p.parkNanos(1_000);
            t[1] = p.now();
        });
        sim.run(1_000_000);
        assertEquals(51_000, t[1] - t[0]);
    }

    @Test
    void aWriteOfALineAnotherCpuWroteLastCostsOneTransferAndAWriteOfItsOwnLineNothing() {
        long transfer = 90;
        Simulation sim = new Simulation(zero(2).lineTransferNs(transfer).build());
        TraceRecorder rec = TraceRecorder.attach(sim);
        Object line = new Object();
        int[] cpus = new int[2];
        sim.spawn("cpu0-writer", p -> {
            cpus[0] = p.currentTask().cpu();
            access(p, line, true, "first");   // the line's first access: nothing to fetch
            access(p, line, true, "again");   // this CPU is its only holder
            p.work(10_000);
            access(p, line, false, "read-back"); // after the other CPU's write: fetch it
        });
        sim.spawn("cpu1-cas", p -> {
            cpus[1] = p.currentTask().cpu();
            p.work(5_000);
            access(p, line, true, "cas");     // CPU 0 wrote it last: one transfer
            access(p, line, false, "read");   // now held here
        });
        sim.run(1_000_000);
        assertNotEquals(cpus[0], cpus[1], "the two tasks run on different CPUs");
        java.util.Map<String, Long> took = new java.util.HashMap<>();
        for (TraceEvent e : TraceReader.read(rec.toByteArray()).events()) {
            if (e instanceof TraceEvent.Mark m) {
                took.put(m.label(), m.endNs() - m.startNs());
            }
        }
        assertEquals(java.util.Map.of("first", 0L, "again", 0L, "cas", transfer, "read", 0L, "read-back", transfer), took);
    }

    /** Declares an access to {@code line} and marks how long the model made it wait. */
    private static void access(SimPlatform p, Object line, boolean write, String label) {
        long t0 = p.now();
        p.lineAccess(line, write);
        p.mark(label, t0, p.now());
    }

    @Test
    void transfersOfOneLineQueueBehindEachOther() {
        long transfer = 100;
        Simulation sim = new Simulation(zero(2).lineTransferNs(transfer).build());
        Object line = new Object();
        long[] waited = new long[2];
        sim.spawn("holder", p -> {
            p.lineAccess(line, true);
            p.work(1_001);
            p.lineAccess(line, true); // at 1001, while the other CPU's fetch (1000..1100) is in flight
            waited[0] = p.now() - 1_001;
        });
        sim.spawn("reader", p -> {
            p.work(1_000);
            p.lineAccess(line, false);
            waited[1] = p.now() - 1_000;
        });
        sim.run(1_000_000);
        assertEquals(transfer, waited[1], "the reader's fetch: one transfer");
        assertEquals(1_100 + transfer - 1_001, waited[0], "the write waits for the fetch in flight, then its own transfer");
    }

    @Test
    void theTraceHeaderRecordsTheCostsAndEveryCostChangesTheTrace() {
        SimConfig base = SimConfig.builder().cpus(2).seed(3).build();
        String sha = Scenarios.mixed(base, 5_000_000).sha256();
        assertEquals(sha, Scenarios.mixed(base, 5_000_000).sha256(), "same seed and profile: same trace");
        for (UnaryOperator<SimConfig.Builder> change : java.util.List.<UnaryOperator<SimConfig.Builder>>of(
                b -> b.wakeupIdleNs(base.costs().wakeupIdleNs() + 1_000), b -> b.wakeupBusyNs(base.costs().wakeupBusyNs() + 1_000),
                b -> b.unparkIdleNs(base.costs().unparkIdleNs() + 1_000), b -> b.parkNs(base.costs().parkNs() + 1_000),
                b -> b.lineTransferNs(base.costs().lineTransferNs() + 1_000))) {
            assertNotEquals(sha, Scenarios.mixed(change.apply(base.toBuilder()).build(), 5_000_000).sha256());
        }
        WakeRun r = wakeRun(zero(2).wakeupIdleNs(LATENCY).build());
        assertEquals(CostProfile.ZERO.with("wakeupIdleNs", LATENCY).summary(), r.header());
        assertTrue(r.header().contains("wakeupIdleNs=7000"), r.header());
    }
}
