package io.taskscratch.demo;

import io.taskscratch.demo.locks.LockKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoTest {
    private static List<RunResult> small(long seed) {
        RunSpec base = new RunSpec("t", LockChoice.parse("ttas"), 2, 4, 4, Distribution.parse("1us"), Distribution.parse("2us"),
                "fair", 30_000_000L, seed, 2, 0.2, false); // hogs and 30 ms: enough switches for the hook to write
        List<RunResult> out = new ArrayList<>();
        for (String l : List.of("spin100", "adaptive-pinned", "adaptive-lossy-50", "adaptive-rseq-50")) {
            out.add(DemoRun.run(base.withLock(LockChoice.parse(l)), null));
        }
        return out;
    }

    @Test
    void sameSeedSameCsv() {
        String a = Report.csv(small(9));
        String b = Report.csv(small(9));
        assertEquals(a, b);
        assertEquals(5, a.split("\n").length, a);
        assertTrue(Report.json(new RunMetadata(), small(9)).contains("\"lock\": \"adaptive-lossy-50\""));
        for (RunResult r : small(9)) {
            assertTrue(r.acquisitions() > 100, r.toString());
            assertTrue(r.p50Ns() <= r.p99Ns() && r.p99Ns() <= r.maxNs(), r.toString());
            assertTrue(r.jain() > 0 && r.jain() <= 1.0 + 1e-9, r.toString());
        }
    }

    @Test
    void lossyStateLosesWritesAndPinnedDoesNot() {
        List<RunResult> rs = small(3);
        assertEquals(0, rs.get(1).writerFailed(), "pinned: " + rs.get(1));
        assertTrue(rs.get(1).writerAttempts() > 0);
        assertTrue(rs.get(2).writerFailRate() > 0.3, "lossy-50%: " + rs.get(2));
        assertTrue(rs.get(3).writerFailed() > 0, "rseq-50%: " + rs.get(3));
        assertEquals(0, rs.get(0).writerAttempts(), "classic locks have no regions");
    }

    @Test
    void pinnedRunPassesTheAgreementInvariant() {
        RunSpec s = new RunSpec("t", LockChoice.parse("adaptive-pinned"), 2, 6, 1, Distribution.parse("bimodal"),
                Distribution.parse("1us"), "fair", 2_000_000L, 1, 1, 0, true);
        RunResult r = DemoRun.run(s, null);
        assertTrue(r.acquisitions() > 0 && r.writerAttempts() > 0, r.toString());
    }

    /** The default table scenario (2 CPUs, 4 threads + 4 hogs, 1 us / 1 us, seed 42, 3 x 30 ms) with another lock. */
    private static RunResult defaultScenario(String lock) {
        return DemoRun.run(new RunSpec("droprate", LockChoice.parse(lock), 2, 4, 4, Distribution.parse("1us"), Distribution.parse("1us"),
                "fair", 30_000_000L, 42, 3, 0, false), null);
    }

    @Test
    void pinnedAnswersAreNeverWrongAndFrozenLossyRegionsAre() {
        TruthMeter.Stats pinned = defaultScenario("adaptive-pinned").truth();
        assertTrue(pinned.answers() > 1000, pinned.toString());
        assertEquals(0, pinned.wrong(), "pinned state is the truth: " + pinned);
        assertEquals(0, pinned.wrongParks(), pinned.toString());
        assertEquals(0, pinned.unknown(), "every task registered: " + pinned);
        TruthMeter.Stats frozen = defaultScenario("adaptive-lossy-100").truth();
        assertTrue(frozen.falseRunning() > 0, "no write lands: preempted owners still read on_cpu = 1: " + frozen);
        // Pinned state ends a spin on an off-CPU owner after the one re-check pause; frozen state spins out its budget.
        assertTrue(pinned.offCpuSpinNs() * 100 < frozen.offCpuSpinNs(), "pinned " + pinned + ", frozen " + frozen);
        assertEquals(0, frozen.falseNotRunning(), "registration wrote on_cpu = 1, nothing clears it: " + frozen);
        assertEquals(0, frozen.yieldAdvice(), "no switch recorded, no yield advice: " + frozen);
        TruthMeter.Stats none = defaultScenario("adaptive-none").truth();
        assertTrue(none.answers() > 0 && none.answers() == none.unknown(), "no state: every answer is UNKNOWN: " + none);
        assertNull(small(3).get(0).truth(), "classic locks are not graded");
    }

    @Test
    void lossyCurveOfTheDefaultRunHasTheDocumentedShape() {
        // docs/demo.md: with the calibrated costs scheduler state does not pay in the default run: pinned state is
        // within 1 % of no state, losing writes lowers nothing (every lossy point at least pinned's), and at 100 %
        // no write lands, the regions keep their registration state (on_cpu = 1: a constant answer, no information)
        // and the mutex is within a few % of no state. This pins that shape for the default run (seed 42, the
        // checked-in profile): any change to it must update the docs.
        double[] curve = new double[5];
        int i = 0;
        for (String pct : List.of("0", "1", "10", "50", "100")) {
            curve[i++] = defaultScenario("adaptive-lossy-" + pct).throughputPerSec();
        }
        double none = defaultScenario("adaptive-none").throughputPerSec();
        assertEquals(none, curve[0], 0.01 * none, "pinned state is within 1 % of no state: " + Arrays.toString(curve));
        for (int k = 1; k < 4; k++) {
            assertTrue(curve[k] >= 0.99 * curve[0], "losing writes lowers nothing: " + Arrays.toString(curve));
        }
        assertEquals(none, curve[4], 0.05 * none, "lossy-100% is near the no-state point: " + Arrays.toString(curve));
    }

    @Test
    void throughputBoundIsTheFairCpuShareOverTheWorkPerAcquisition() {
        RunSpec s = new RunSpec("table", LockChoice.parse("ttas"), 2, 4, 4, Distribution.parse("1us"), Distribution.parse("1us"),
                "fair", 1, 42, 1, 0, false);
        assertEquals(1.0, Goals.fairShare(s), 1e-12);
        assertEquals(500_000, Goals.throughputBound(s), 1e-6, "1 CPU / 2 us");
        assertEquals(1_000_000, Goals.throughputBound(s.withThreads("t", 8, 0, 1)), 1e-6, "2 CPUs / 2 us, one section at a time");
        assertEquals(1.0, Goals.fairShare(s.withThreads("t", 1, 0, 1)), 1e-12, "one task gets one CPU at most");
    }

    @Test
    void parsesLocksAndDistributions() {
        assertEquals(LockKind.TTAS_SPIN, LockChoice.parse("ttas").kind());
        LockChoice l = LockChoice.parse("adaptive-lossy-10");
        assertEquals(LockChoice.State.LOSSY, l.state());
        assertEquals(0.1, l.dropRate(), 1e-12);
        assertEquals("adaptive[lossy-10%]", l.label());
        assertEquals("adaptive[rseq-50%]", LockChoice.adaptive(LockChoice.State.RSEQ, 0.5).label());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LockChoice.parse("mcs"));
        assertTrue(e.getMessage().contains("'mcs'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LockChoice.parse("adaptive-lossy-120"));
        assertEquals(50, Distribution.parse("50ns").shortNs());
        assertEquals(10_000, Distribution.parse("10µs").shortNs());
        Distribution bi = Distribution.parse("bimodal");
        SplittableRandom r = new SplittableRandom(1);
        int longOnes = 0;
        for (int i = 0; i < 10_000; i++) {
            longOnes += bi.sample(r) == 100_000 ? 1 : 0;
        }
        assertTrue(longOnes > 400 && longOnes < 600, "about 5% long: " + longOnes);
        e = assertThrows(IllegalArgumentException.class, () -> Distribution.parse("fast"));
        assertTrue(e.getMessage().contains("'fast'"), e.getMessage());
    }
}
