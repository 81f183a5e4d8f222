package io.taskscratch.demo;

import io.taskscratch.kernel.KernelAvailability;
import io.taskscratch.kernel.KernelBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: bad options are refused before anything runs, with one line; output is all or nothing. */
class DemoCliTest {
    @TempDir
    Path tmp;

    private record Outcome(int code, String err) {
    }

    private static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        int code = DemoMain.run(new PrintWriter(err, true), args);
        return new Outcome(code, err.toString());
    }

    private static void assertOneLineNaming(Outcome o, String option, String value) {
        assertEquals(2, o.code(), o.err());
        String[] lines = o.err().strip().split("\n");
        assertEquals(1, lines.length, o.err());
        assertTrue(lines[0].contains(option + " " + value + ":"), "names the option and the value: " + lines[0]);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--cpus|0|1..256", "--seeds|0|1..64", "--threads|-3|0..1024", "--oversub|0|(0, 64]", "--oversub|-1|(0, 64]",
        "--drop-rates|-5|0..100", "--drop-rates|200|0..100", "--memory-pressure|2|0..1", "--policy|foo|fair or eevdf or rr",
        "--cpus|100000|1..256", "--threads|2147483647|0..1024", "--hogs|-2|-1..1024", "--duration-ms|0|1..60000",
        "--timeline-us|6000|1..5000", "--cs|fast|<n>us", "--locks|mcs|adaptive-pinned", "--locks|adaptive-kernel|--backend kernel",
        "--backend|gpu|model or kernel", "--repeats|2|--backend kernel only", "--calibration|/nonexistent/profile.json|no such file"})
    void badValueIsOneLineExitTwoNothingWritten(String option, String value, String range) {
        Path out = tmp.resolve("out");
        for (boolean noSweeps : new boolean[] {false, true}) {
            List<String> args = new ArrayList<>(List.of(option, value, "--out", out.toString()));
            if (noSweeps) {
                args.add("--no-sweeps");
            }
            Outcome o = run(args.toArray(String[]::new));
            assertOneLineNaming(o, option, value);
            assertTrue(o.err().contains(range), "states what is allowed (" + range + "): " + o.err());
            assertFalse(Files.exists(out), "nothing written for " + args);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"percpu|--run-ms|0|1..60000", "percpu|--run-ms|60001|1..60000",
        "percpu|--repeats|0|1..20", "percpu|--repeats|21|1..20", "validate|--repeats|1|>= 2", "validate|--real-ms|0|>= 1",
        "validate|--seeds|0|>= 1"})
    void subcommandsRefuseBadValuesInOneLine(String command, String option, String value, String range) {
        Path out = tmp.resolve("out");
        Outcome o = run(command, option, value, "--out", out.toString());
        assertOneLineNaming(o, option, value);
        assertTrue(o.err().contains(range), "states what is allowed (" + range + "): " + o.err());
        assertFalse(Files.exists(out), "nothing written for " + command + " " + option + " " + value);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"--cpus|8", "--policy|rr", "--seed|7", "--seeds|2", "--memory-pressure|0.5",
        "--locks|adaptive-pinned", "--locks|adaptive-lossy-10", "--oversub|2"})
    void kernelBackendRefusesModelOnlyOptions(String option, String value) {
        Path out = tmp.resolve("out");
        Outcome o = run("--backend", "kernel", option, value, "--out", out.toString());
        assertOneLineNaming(o, option, value);
        assertFalse(Files.exists(out));
    }

    @Test
    void kernelBackendRunsRealJdkLocksInterleavedOrSaysWhyNot() throws IOException {
        Path out = tmp.resolve("kernel");
        KernelAvailability a = KernelBackend.availability();
        int cpus = Runtime.getRuntime().availableProcessors();
        Outcome o = run("--backend", "kernel", "--locks", "synchronized,reentrant", "--threads", Integer.toString(2 * cpus),
                "--repeats", "2", "--duration-ms", "20", "--out", out.toString());
        if (!a.available()) {
            assertEquals(1, o.code(), "unavailable here (" + a.reason() + "): the run fails and writes nothing");
            assertFalse(Files.exists(out));
            return;
        }
        assertEquals(0, o.code(), o.err());
        List<String> rows = Files.readAllLines(out.resolve("results-kernel.csv"));
        assertEquals(1 + 3 * 2 * 2, rows.size(), "header, then 3 locks x 2 thread counts x 2 repeats: " + rows);
        assertTrue(rows.stream().anyMatch(r -> r.contains(",\"synchronized\",")), "the JDK's own monitor: " + rows);
        assertTrue(rows.stream().anyMatch(r -> r.contains(",\"ReentrantLock\",")), "the JDK's own ReentrantLock: " + rows);
        assertTrue(rows.stream().noneMatch(r -> r.contains("-model")), "no model locks on real threads: " + rows);
        for (int round = 0; round < 4; round++) { // per thread count, 2 rounds of 3 locks, in the order they ran
            List<String> locks = rows.subList(1 + 3 * round, 4 + 3 * round).stream().map(r -> r.split(",")[1]).distinct().toList();
            assertEquals(3, locks.size(), "every lock runs once per round (interleaved repeats): " + rows);
        }
        assertTrue(Files.readString(out.resolve("results-kernel.json")).contains("\"backend\": \"kernel\""));

        Path one = tmp.resolve("kernel-one-table");
        assertEquals(0, run("--backend", "kernel", "--locks", "reentrant", "--threads", Integer.toString(cpus), "--repeats", "1",
                "--duration-ms", "20", "--out", one.toString()).code());
        assertEquals(1 + 2, Files.readAllLines(one.resolve("results-kernel.csv")).size(),
                "--threads = CPUs: one table (reentrant and adaptive-kernel), not the same one twice");
    }

    @Test
    void outThatIsARegularFileIsRefusedAndLeftAlone() throws IOException {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "mine");
        Outcome o = run("--out", file.toString(), "--no-sweeps");
        assertOneLineNaming(o, "--out", file.toString());
        assertTrue(o.err().contains("not a directory"), o.err());
        assertEquals("mine", Files.readString(file));
        Outcome below = run("--out", file.resolve("x").toString());
        assertOneLineNaming(below, "--out", file.resolve("x").toString());
    }

    @Test
    void outWhereNoDirectoryCanBeCreatedIsRefused() {
        Path proc = Path.of("/proc/taskscratch-demo-test");
        Outcome o = run("--out", proc.toString(), "--no-sweeps");
        assertOneLineNaming(o, "--out", proc.toString());
        assertFalse(Files.exists(proc));
    }

    @Test
    void versionPrintsTheProjectVersion() {
        assertTrue(DemoVersion.version().matches("\\d+\\.\\d+\\.\\d+.*"), DemoVersion.version());
        assertEquals("taskscratch-demo " + DemoVersion.version(), new DemoVersion().getVersion()[0]);
        assertEquals(0, run("--version").code());
    }

    @Test
    void helpShowsTheLimits() {
        StringWriter help = new StringWriter();
        new picocli.CommandLine(new DemoMain()).usage(new PrintWriter(help, true));
        for (String limit : List.of("1 to 256", "1 to 64", "0 to 1024", "0 to 100", "1 to 60000", "1 to 5000", "1 to 20")) {
            assertTrue(help.toString().replaceAll("\\s+", " ").contains(limit), limit + " in --help:\n" + help);
        }
    }

    @Test
    void runWritesItsFilesWithMetadataAndRemovesAnEarlierRunsStaleOnes() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("drop-rate.svg"), "stale chart of another run");
        Files.writeString(out.resolve("notes.txt"), "not the demo's");
        Outcome o = run("--no-sweeps", "--locks", "ttas", "--seeds", "2", "--seed", "5", "--duration-ms", "2", "--timeline-us", "100",
                "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        try (var files = Files.list(out)) {
            assertEquals(List.of("notes.txt", "results.csv", "results.json", "timeline.svg"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        String json = Files.readString(out.resolve("results.json"));
        assertTrue(json.contains("\"version\": \"" + DemoVersion.version() + "\""), json);
        assertTrue(json.contains("\"seeds\": [5, 6]"), json);
        assertTrue(json.contains("\"--duration-ms\": 2"), json);
        assertTrue(json.contains("\"--locks\": [\"ttas\"]"), json);
        assertFalse(json.contains("--repeats"), "kernel-only options are not part of a model run: " + json);
    }

    @Test
    void uncommittedOutputLeavesNothing() throws IOException {
        Path out = tmp.resolve("fresh");
        try (OutputDir dir = OutputDir.open(out, OutputDir.MODEL_FILES)) {
            dir.write("results.csv", "a");
            assertFalse(Files.exists(out.resolve("results.csv")), "not in place before the commit");
        }
        assertFalse(Files.exists(out), "a directory this run created and left empty is removed");
        Path kept = Files.createDirectories(tmp.resolve("kept"));
        Files.writeString(kept.resolve("results.csv"), "old");
        try (OutputDir dir = OutputDir.open(kept, OutputDir.MODEL_FILES)) {
            dir.write("results.csv", "new");
        }
        try (var files = Files.list(kept)) {
            assertEquals(List.of(kept.resolve("results.csv")), files.toList(), "only the earlier file, no staging left");
        }
        assertEquals("old", Files.readString(kept.resolve("results.csv")));
    }
}
