package io.taskscratch.stress;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;

/**
 * Runs the jcstress suite and checks its verdicts, so a build can fail on them.
 *
 * <p>Convention: every test {@code Foo} in {@code io.taskscratch.stress} has a deliberately
 * broken twin {@code BrokenFoo} in the same package (a negative control). The check passes when
 * every test ran and passed, and every broken twin ran and <em>failed by a forbidden outcome</em>
 * (an exception or a timeout in a broken twin does not count: it would not prove that the
 * test's outcome rules catch the bug). A test without its twin, or a twin without its test, is
 * an error too.
 *
 * <p>Usage: {@code java -cp jcstress.jar io.taskscratch.stress.SuiteCheck <fast|quick> [jcstress options]};
 * {@code -t regex} narrows the run (the twin rule is still checked on the whole suite). jcstress
 * reports go to {@code jcstress-report-<mode>/} and its result file to the working directory.
 * Exit status 0 when the check passes, 1 otherwise.
 */
public final class SuiteCheck {
    /** Tests of this project: the jcstress test list also holds jcstress's own samples when present. */
    static final String SUITE = "^io\\.taskscratch\\.stress\\.";
    static final String BROKEN_PREFIX = "Broken";

    private SuiteCheck() {
    }

    /**
     * jcstress options per mode. fast: one fork, one iteration, one JVM configuration (what
     * {@code mvn verify} runs, about 10 s a test); quick: jcstress's own quick preset with all
     * auto-detected JVM configurations.
     */
    static List<String> modeOptions(String mode) {
        return switch (mode) {
            case "fast" -> List.of("-f", "1", "-fsm", "1", "-sc", "false", "-iters", "1", "-time", "1000",
                    "-jvmArgs", "--enable-native-access=ALL-UNNAMED");
            case "quick" -> List.of("-m", "quick", "-jvmArgsPrepend", "--enable-native-access=ALL-UNNAMED");
            default -> throw new IllegalArgumentException("mode must be fast or quick, was " + mode);
        };
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: SuiteCheck <fast|quick> [jcstress options]");
            System.exit(2);
        }
        String mode = args[0];
        List<String> extra = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        String filter = SUITE;
        int t = extra.indexOf("-t");
        if (t >= 0 && t + 1 < extra.size()) {
            filter = SUITE + ".*" + extra.get(t + 1);
            extra.subList(t, t + 2).clear();
        }

        List<String> problems = new ArrayList<>(twinProblems(list(SUITE)));

        List<String> opts = new ArrayList<>(modeOptions(mode));
        opts.addAll(extra);
        opts.addAll(List.of("-t", filter, "-r", "jcstress-report-" + mode));
        Options options = new Options(opts.toArray(String[]::new));
        if (!options.parse()) {
            System.exit(2);
        }
        JCStress jcstress = new JCStress(options);
        SortedSet<String> selected = jcstress.getTests();
        try {
            jcstress.run();
        } catch (AssertionError failures) {
            // jcstress throws when any test failed; the broken twins must. Graded below.
        }

        Map<String, List<TestResult>> results = read(options.getResultFile());
        System.out.println();
        System.out.println("== taskscratch jcstress suite check (" + mode + ", " + selected.size() + " tests)");
        for (String test : selected) {
            String verdict = verdict(test, results.getOrDefault(test, List.of()));
            System.out.printf("  %-4s %s%n", verdict == null ? "ok" : "BAD", test + (verdict == null ? "" : ": " + verdict));
            if (verdict != null) {
                problems.add(test + ": " + verdict);
            }
        }
        if (problems.isEmpty()) {
            System.out.println("== suite check passed: every test passed, every broken twin was caught");
            System.exit(0);
        }
        System.out.println("== suite check FAILED:");
        problems.forEach(p -> System.out.println("  " + p));
        System.exit(1);
    }

    static boolean isBroken(String test) {
        return simpleName(test).startsWith(BROKEN_PREFIX);
    }

    static String simpleName(String test) {
        return test.substring(test.lastIndexOf('.') + 1);
    }

    /** Why {@code test}'s results are wrong for its kind, or {@code null} when they are right. */
    static String verdict(String test, List<TestResult> runs) {
        if (runs.isEmpty()) {
            return "did not run";
        }
        boolean forbiddenSeen = false;
        for (TestResult r : runs) {
            if (r.status() != Status.NORMAL) {
                return "ended with " + r.status() + " " + r.getMessages();
            }
            forbiddenSeen |= !r.grading().isPassed;
        }
        if (isBroken(test)) {
            return forbiddenSeen ? null : "negative control was not caught: no forbidden outcome in "
                    + runs.get(0).getTotalCount() + "+ samples";
        }
        return forbiddenSeen ? "forbidden outcome observed " + describe(runs) : null;
    }

    private static String describe(List<TestResult> runs) {
        StringBuilder sb = new StringBuilder();
        for (TestResult r : runs) {
            for (String state : r.getStateKeys()) {
                sb.append('[').append(state).append("]x").append(r.getCount(state)).append(' ');
            }
        }
        return sb.toString().trim();
    }

    /** Pairs each test with its broken twin; lists the ones without. */
    static List<String> twinProblems(SortedSet<String> all) {
        List<String> problems = new ArrayList<>();
        for (String test : all) {
            String pkg = test.substring(0, test.lastIndexOf('.') + 1);
            String name = simpleName(test);
            String twin = isBroken(test) ? pkg + name.substring(BROKEN_PREFIX.length()) : pkg + BROKEN_PREFIX + name;
            if (!all.contains(twin)) {
                problems.add(test + ": has no " + (isBroken(test) ? "test" : "broken twin") + " named " + twin);
            }
        }
        return problems;
    }

    private static SortedSet<String> list(String filter) throws IOException {
        Options o = new Options(new String[] {"-t", filter});
        o.parse();
        return new JCStress(o).getTests();
    }

    private static Map<String, List<TestResult>> read(String resultFile) throws Exception {
        InProcessCollector collector = new InProcessCollector();
        DiskReadCollector reader = new DiskReadCollector(resultFile, collector);
        try {
            reader.dump();
        } finally {
            reader.close();
        }
        Map<String, List<TestResult>> byTest = new TreeMap<>();
        for (TestResult r : collector.getTestResults()) {
            byTest.computeIfAbsent(r.getName(), k -> new ArrayList<>()).add(r);
        }
        return byTest;
    }
}
