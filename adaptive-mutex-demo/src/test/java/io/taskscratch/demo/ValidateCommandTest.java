package io.taskscratch.demo;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.mutex.SpinTuning;
import io.taskscratch.sched.CostProfile;
import io.taskscratch.sched.calibration.CalibrationProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The validation benchmark's short (CI) mode completes and writes its files; a bad profile stops it before any run. */
class ValidateCommandTest {
    @Test
    void shortModeCompletesAndWritesTableCsvAndChart(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = new CommandLine(new ValidateCommand(new PrintStream(buf, true, StandardCharsets.UTF_8)))
                .execute("--short", "--out", dir.toString());
        String console = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, console);
        List<String> csv = Files.readAllLines(dir.resolve("validate.csv"));
        long locks = csv.stream().skip(1).map(l -> l.split(",")[1]).distinct().count();
        assertEquals(1 + ValidateCommand.SHORT_SHAPES.size() * locks, csv.size(), String.join("\n", csv));
        assertTrue(locks >= ValidateCommand.LOCKS.size() - 1, "every lock (adaptive-state needs the kernel backend): " + locks);
        for (ValidateCommand.Shape s : ValidateCommand.SHORT_SHAPES) {
            assertTrue(console.contains(s.name() + ": "), "table of " + s.name() + " in\n" + console);
        }
        assertTrue(console.contains("rho(model, real)"), console);
        assertTrue(csv.get(1).contains(CalibrationProfile.defaultProfile().costs().summary()), "the profile is recorded: " + csv.get(1));
        String svg = Files.readString(dir.resolve("validate.svg"));
        assertTrue(svg.startsWith("<svg"), svg);
        assertEquals(csv.size() - 1, svg.split("<circle cx=").length - 1 - ValidateCommand.SHORT_SHAPES.size(),
                "one point per row plus one legend dot per shape");
    }

    @Test
    void eachModelPolicyIsComparedWithTheSameRealRuns(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = new CommandLine(new ValidateCommand(new PrintStream(buf, true, StandardCharsets.UTF_8)))
                .execute("--short", "--policy", "fair,eevdf", "--out", dir.toString());
        String console = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, console);
        List<String[]> rows = Files.readAllLines(dir.resolve("validate.csv")).stream().skip(1).map(l -> l.split(",")).toList();
        int policy = List.of(Files.readAllLines(dir.resolve("validate.csv")).getFirst().split(",")).indexOf("policy");
        int real = List.of(Files.readAllLines(dir.resolve("validate.csv")).getFirst().split(",")).indexOf("real_throughput_per_s_mean");
        List<String[]> fair = rows.stream().filter(r -> r[policy].equals("fair")).toList();
        List<String[]> eevdf = rows.stream().filter(r -> r[policy].equals("eevdf")).toList();
        assertEquals(rows.size(), 2 * fair.size(), "one row per policy, shape and lock");
        for (int i = 0; i < fair.size(); i++) {
            assertEquals(fair.get(i)[0] + fair.get(i)[1] + fair.get(i)[real], eevdf.get(i)[0] + eevdf.get(i)[1] + eevdf.get(i)[real],
                    "the same real runs");
        }
        assertTrue(console.contains("model policy eevdf") && console.contains("model policy fair"), console);

        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        CommandLine cl = new CommandLine(new ValidateCommand(new PrintStream(bad, true, StandardCharsets.UTF_8)));
        cl.setErr(new java.io.PrintWriter(bad, true, StandardCharsets.UTF_8));
        assertEquals(2, cl.execute("--short", "--policy", "cfs", "--out", dir.resolve("bad").toString()));
        assertTrue(bad.toString(StandardCharsets.UTF_8).contains("--policy cfs: must be one of fair, eevdf, rr"), bad.toString(StandardCharsets.UTF_8));
        assertFalse(Files.exists(dir.resolve("bad")), "nothing written");
    }

    @Test
    void aBadCalibrationProfileIsRefusedWithEinvalBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, CalibrationProfile.defaultProfile().toJson().replace("\"yieldNs\":", "\"yieldNanos\":"));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ValidateCommand v = new ValidateCommand(new PrintStream(buf, true, StandardCharsets.UTF_8));
        v.calibration = bad;
        v.out = dir.resolve("out");
        ScratchException e = assertThrows(ScratchException.class, v::call);
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("yieldNanos") && e.getMessage().contains("bad.json"), e.getMessage());
        assertEquals("", buf.toString(StandardCharsets.UTF_8), "nothing ran");
        assertFalse(Files.exists(v.out), "nothing written");
    }

    @Test
    void theModelsAdaptiveMutexRunsThePolicyRealThreadsGetFromTheModelsOwnWakeup() {
        CostProfile c = CalibrationProfile.defaultProfile().costs();
        SpinTuning t = DemoRun.modelTuning(c);
        assertEquals(SpinTuning.forWakeupCost(c.wakeupIdleNs() + c.contextSwitchNs()), t);
        assertEquals(c.wakeupIdleNs() + c.contextSwitchNs(), t.unknownSpinNanos(), "the UNKNOWN budget is one wake-up");
        assertNotEquals(SpinTuning.DEFAULT, t, "not the fixed SpinTuning.DEFAULT");
    }

    @Test
    void spearmanRanksWithTies() {
        assertEquals(1.0, RankCorrelation.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 400}), 1e-12);
        assertEquals(-1.0, RankCorrelation.spearman(new double[] {1, 2, 3, 4}, new double[] {4, 3, 2, 1}), 1e-12);
        // ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4): Pearson = 0.9486...
        assertEquals(0.9486832980505138, RankCorrelation.spearman(new double[] {1, 5, 5, 9}, new double[] {1, 2, 3, 4}), 1e-12);
        assertEquals(List.of(1.0, 2.5, 2.5, 4.0), java.util.Arrays.stream(RankCorrelation.ranks(new double[] {1, 5, 5, 9})).boxed().toList());
    }
}
