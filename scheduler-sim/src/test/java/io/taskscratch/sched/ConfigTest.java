package io.taskscratch.sched;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {
    private static void rejects(String field, UnaryOperator<SimConfig.Builder> change) {
        refused(Errno.EINVAL, field, () -> change.apply(SimConfig.builder()).build());
    }

    private static void refused(Errno errno, String culprit, Executable op) {
        ScratchException e = assertThrows(ScratchException.class, op);
        assertEquals(errno, e.errno());
        assertTrue(e.getMessage().contains(culprit), e.getMessage() + " should name " + culprit);
    }

    @Test
    void defaultsAreLinuxValues() {
        SimConfig c = SimConfig.builder().build();
        assertEquals(6_000_000, c.latencyNs());
        assertEquals(750_000, c.minGranularityNs());
        assertEquals(1_000_000, c.wakeupGranularityNs());
        assertEquals(100_000_000, c.rrSliceNs());
        assertEquals(500_000, c.migrationCostNs());
        assertEquals("fair", c.policy());
    }

    @Test
    void badFieldsAreRefusedByName() {
        rejects("cpus 0", b -> b.cpus(0));
        rejects("cpus 5000", b -> b.cpus(5000));
        rejects("rrSliceNs 0", b -> b.rrSliceNs(0));
        rejects("rrSliceNs -5", b -> b.rrSliceNs(-5));
        rejects("latencyNs 0", b -> b.latencyNs(0));
        rejects("minGranularityNs 0", b -> b.minGranularityNs(0));
        rejects("minGranularityNs 7000000", b -> b.minGranularityNs(7_000_000));
        rejects("wakeupGranularityNs -1", b -> b.wakeupGranularityNs(-1));
        rejects("contextSwitchNs -1", b -> b.contextSwitchNs(-1));
        rejects("spinPauseNs -1", b -> b.spinPauseNs(-1));
        rejects("spinLoadPs -1", b -> b.spinLoadPs(-1));
        rejects("timerSlackNs -1", b -> b.timerSlackNs(-1));
        rejects("lineTransferNs -1", b -> b.lineTransferNs(-1));
        rejects("balanceIntervalNs 0", b -> b.balanceIntervalNs(0));
        rejects("migrationCostNs -1", b -> b.migrationCostNs(-1));
        rejects("watchdogMillis 0", b -> b.watchdogMillis(0));
        rejects("threads null", b -> b.threads(null));
        rejects("policy 'lottery'", b -> b.policy("lottery"));
        rejects("policy null", b -> b.policy(null));
    }

    @Test
    void cpuRangeEdgesAreAccepted() {
        assertEquals(1, SimConfig.builder().cpus(1).build().cpus());
        assertEquals(SimConfig.MAX_CPUS, SimConfig.builder().cpus(SimConfig.MAX_CPUS).build().cpus());
    }

    @Test
    void taskRegistrationRules() {
        Simulation sim = new Simulation(SimConfig.builder().build());
        sim.spawn("w", p -> { });
        refused(Errno.EEXIST, "task name 'w'", () -> sim.spawn("w", p -> { }));
        refused(Errno.EEXIST, "task name 'w'", () -> sim.spawnDaemon("w", p -> { }));
        refused(Errno.EINVAL, "task name ''", () -> sim.spawn("", p -> { }));
        refused(Errno.EINVAL, "task body of 'x'", () -> sim.spawn("x", null));
        refused(Errno.EINVAL, "startNs -1", () -> sim.spawnAt("y", p -> { }, false, -1));
        refused(Errno.EINVAL, "virtualNs 0", () -> sim.run(0));
        assertEquals(1, sim.tasks().size(), "refused registrations change nothing");
    }

    @Test
    void modelCallArgumentsAreChecked() {
        Simulation sim = new Simulation(SimConfig.builder().build());
        sim.spawn("neg", p -> p.work(-1));
        SimFailureException f = assertThrows(SimFailureException.class, () -> sim.run(1_000_000));
        ScratchException cause = (ScratchException) f.getCause();
        assertEquals(Errno.EINVAL, cause.errno());
        assertTrue(cause.getMessage().contains("work ns -1"));
    }
}
