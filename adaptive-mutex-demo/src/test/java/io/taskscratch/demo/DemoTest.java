package io.taskscratch.demo;

import io.taskscratch.mutex.LockKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoTest {
    private static List<RunResult> small(long seed) {
        RunSpec base = new RunSpec("t", LockChoice.parse("ttas"), 2, 4, 1, Distribution.parse("1us"), Distribution.parse("2us"),
                "fair", 1_500_000L, seed, 2, 0.2, false);
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
        assertTrue(Report.json(small(9)).contains("\"lock\": \"adaptive-lossy-50\""));
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
