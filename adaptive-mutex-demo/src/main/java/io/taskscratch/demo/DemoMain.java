package io.taskscratch.demo;

import io.taskscratch.demo.percpu.PerCpuDemo;
import io.taskscratch.kernel.KernelAvailability;
import io.taskscratch.kernel.KernelOwnerState;
import io.taskscratch.kernel.SharedKernelState;
import io.taskscratch.sched.CostProfile;
import io.taskscratch.sched.calibration.CalibrationProfile;
import io.taskscratch.sched.trace.SvgTimeline;
import io.taskscratch.sched.trace.Timeline;
import io.taskscratch.sched.trace.TraceRecorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The demo: "pinned or lossy?". Runs every lock of the comparison inside the deterministic
 * scheduler model and prints the comparison table, then sweeps oversubscription and the lossy
 * drop rate, checks the project's goals, and writes CSV, JSON, charts and a timeline.
 * {@code mvn -Pdemo package} runs it with the defaults; {@code -Ddemo.args="--help"} lists the
 * options. See {@code docs/demo.md}.
 */
@Command(name = "taskscratch-demo", mixinStandardHelpOptions = true, sortOptions = false, subcommands = {ValidateCommand.class, PerCpuDemo.class},
        versionProvider = DemoVersion.class,
        description = {"Pinned or lossy? Compares the adaptive mutex (owner state from pinned uptr regions, lossy probe-write "
            + "regions, an rseq-style hint, or none) with the classic locks, inside the deterministic scheduler model. "
            + "All times are virtual; the same seed gives the same results. Details: docs/demo.md."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:a run failed", "2:bad option (one line names it; nothing is run or written)"})
public final class DemoMain implements Callable<Integer> {
    @Option(names = "--seed", description = "Model seed, the same for every lock (default ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--cpus", description = "Modelled CPUs, 1 to " + OptionLimits.MAX_CPUS + " (default ${DEFAULT-VALUE}).")
    int cpus = 2;

    @Option(names = "--threads", description = "Contending tasks in the comparison table and the drop-rate sweep, 0 to "
            + OptionLimits.MAX_TASKS + "; 0 = 2 x CPUs (default ${DEFAULT-VALUE}).")
    int threads = 0;

    @Option(names = "--hogs", description = "CPU-hog background tasks in the comparison table and the drop-rate sweep, so that "
            + "lock holders get preempted, -1 to " + OptionLimits.MAX_TASKS + "; -1 = 2 x CPUs, which with the default threads makes "
            + "4x oversubscription. The "
            + "oversubscription sweep runs without hogs (default ${DEFAULT-VALUE}).")
    int hogs = -1;

    @Option(names = "--cs", description = "Critical section: 0, 50ns, 1us, 10us, 100us, bimodal (95%% 1us / 5%% 100us), or any <n>ns|us|ms "
            + "(default ${DEFAULT-VALUE}).")
    String cs = "1us";

    @Option(names = "--think", description = "Think time between acquisitions, uniform on [0, 2 x value]; same syntax as --cs "
            + "(default ${DEFAULT-VALUE}).")
    String think = "1us";

    @Option(names = "--policy", description = "Scheduler of the model: fair (CFS-like), eevdf (Linux 6.6+) or rr (round robin) (default ${DEFAULT-VALUE}).")
    String policy = "fair";

    @Option(names = "--duration-ms", description = "Virtual run time of each table run, in ms, 1 to " + OptionLimits.MAX_DURATION_MS
            + " (default ${DEFAULT-VALUE}; --backend kernel: wall time, default " + KernelDemo.DEFAULT_DURATION_MS + ").")
    long durationMs = 30;

    @Option(names = "--sweep-ms", description = "Virtual run time of each sweep run, in ms, 1 to " + OptionLimits.MAX_DURATION_MS
            + " (default ${DEFAULT-VALUE}).")
    long sweepMs = 20;

    @Option(names = "--seeds", description = "Seeds pooled per table and drop-rate run (seed, seed+1, ...), 1 to " + OptionLimits.MAX_SEEDS
            + ": short schedules are chaotic, pooling steadies them (default ${DEFAULT-VALUE}). Oversubscription sweep runs use one seed.")
    int seeds = 3;

    @Option(names = "--locks", split = ",", description = "Locks of the table: reentrant, reentrant-fair, synchronized, ttas, spin100, "
            + "backoff, yield40, adaptive-none, adaptive-pinned, adaptive-lossy-<pct>, adaptive-rseq-<pct> (default: all, with lossy "
            + "1/10/50%% and rseq 10/50%%).")
    List<String> locks = LockChoice.DEFAULT_SET;

    @Option(names = "--drop-rates", split = ",", description = "Drop rates in %%, each 0 to 100, for the lossy/rseq sweep (default ${DEFAULT-VALUE}).")
    List<Double> dropRates = List.of(0.0, 1.0, 10.0, 50.0, 100.0);

    @Option(names = "--memory-pressure", description = "Fraction [0,1] of unpinned region pages evicted every virtual ms (lossy "
            + "state only; pinned pages are never evicted) (default ${DEFAULT-VALUE}).")
    double memoryPressure = 0;

    @Option(names = "--oversub", split = ",", description = "Threads per CPU for the oversubscription sweep, each above 0 and at most "
            + "64 (and at most " + OptionLimits.MAX_TASKS + " threads) (default ${DEFAULT-VALUE}).")
    List<Double> oversub = List.of(0.5, 1.0, 2.0, 4.0, 8.0);

    @Option(names = "--no-sweeps", description = "Only the comparison table (no sweeps, charts or goal check).")
    boolean noSweeps;

    @Option(names = "--check-invariants", description = "Check the model's invariants after every event, and for pinned state that "
            + "every region agrees with the model (slow).")
    boolean checkInvariants;

    @Option(names = "--timeline-us", description = "Width of the timeline window in virtual us, 1 to " + OptionLimits.MAX_TIMELINE_US
            + " (default ${DEFAULT-VALUE}).")
    long timelineUs = 300;

    @Option(names = "--out", description = "Output directory for results.csv, results.json, *.svg (default ${DEFAULT-VALUE}); "
            + "a run replaces the demo files already there only when it completes.")
    Path out = Path.of("target", "demo");

    @Option(names = "--backend", description = "model (default: the deterministic scheduler model) or kernel: real platform "
            + "threads on this machine, adaptive-kernel reading regions written by the real sched_switch BPF program "
            + "(needs root or CAP_BPF + CAP_PERFMON; loads a BPF program; --duration-ms is then wall time; the model's options "
            + "--cpus, --policy, --seed(s), --memory-pressure, the sweeps' options and model-only locks are refused).")
    String backend = "model";

    @Option(names = "--calibration", description = "Calibration profile (JSON, from the scheduler model's `calibrate`) whose costs the "
            + "model charges (default: the profile checked in with the model).")
    Path calibration;

    /** The costs the model runs with, loaded in {@link #call()} before anything runs. */
    private CostProfile costs;

    @Option(names = "--repeats", description = "--backend kernel: runs per lock and thread count, 1 to " + OptionLimits.MAX_REPEATS
            + "; the table shows the median and the spread (default ${DEFAULT-VALUE}).")
    int repeats = KernelDemo.DEFAULT_REPEATS;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream console = System.out;
    /** The lock the charts feature (drawn on top). */
    private static final String FEATURED_LOCK = "adaptive[pinned]";

    /**
     * Runs the demo.
     *
     * @param args command-line options ({@code --help} lists them)
     */
    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.err, true), args));
    }

    /**
     * Runs the demo without exiting: bad options print one line on {@code err} and return 2.
     *
     * @param err  where errors go
     * @param args command-line options
     * @return the exit code: 0 done, 1 a run failed, 2 bad option
     */
    static int run(PrintWriter err, String... args) {
        System.setProperty("chronicle.analytics.disable", "true");
        // Chronicle Bytes logs through SLF4J; the demo shows its warnings and errors only, except
        // ClassUtil's check for --add-opens flags that only other Chronicle products need.
        quietDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        quietDefault("org.slf4j.simpleLogger.log.net.openhft.chronicle.core.internal.ClassUtil", "off");
        CommandLine cmd = new CommandLine(new DemoMain()).setErr(err);
        cmd.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("taskscratch-demo: " + e.getMessage() + "  (--help lists the options and their limits)");
            return CommandLine.ExitCode.USAGE;
        });
        cmd.setExecutionExceptionHandler((e, c, p) -> {
            if (!(e instanceof IOException)) {
                throw e;
            }
            c.getErr().println("taskscratch-demo: " + e);
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cmd.execute(args);
    }

    private static void quietDefault(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        try {
            OptionLimits.check(this, spec.commandLine().getParseResult());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        boolean kernel = backend.equals("kernel");
        costs = kernel ? null : loadCosts();
        try (OutputDir dir = openOutput(kernel ? OutputDir.KERNEL_FILES : OutputDir.MODEL_FILES)) {
            int code = kernel ? callKernel(dir) : run(dir);
            if (code == 0) {
                dir.commit();
            }
            return code;
        }
    }

    /** The model's costs: the checked-in profile, or {@code --calibration}'s (refused as a bad option before anything runs). */
    private CostProfile loadCosts() {
        if (calibration == null) {
            return CalibrationProfile.defaultProfile().costs();
        }
        try {
            return CalibrationProfile.load(calibration).costs();
        } catch (IOException | io.taskscratch.ScratchException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--calibration " + calibration + ": " + e.getMessage(), e);
        }
    }

    private OutputDir openOutput(List<String> files) {
        try {
            return OutputDir.open(out, files);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * What this run was, for {@code results.json}: the version, the value of every option of
     * this backend (defaults included) and the seeds; the single place run metadata is collected.
     */
    RunMetadata metadata(List<Long> seedList) {
        RunMetadata options = new RunMetadata();
        List<String> other = backend.equals("kernel") ? OptionLimits.MODEL_ONLY : OptionLimits.KERNEL_ONLY;
        for (CommandLine.Model.OptionSpec o : spec.options()) {
            if (!o.usageHelp() && !o.versionHelp() && !other.contains(o.longestName())) {
                Object v = o.getValue();
                options.put(o.longestName(), v instanceof Path p ? p.toString() : v);
            }
        }
        return new RunMetadata().put("version", DemoVersion.version()).put("backend", backend).put("options", options)
                .put("seeds", seedList);
    }

    private Integer run(OutputDir dir) throws IOException {
        long hostStart = System.nanoTime();
        int tableThreads = threads > 0 ? threads : 2 * cpus;
        int tableHogs = hogs >= 0 ? hogs : 2 * cpus;
        RunSpec base = new RunSpec("table", LockChoice.parse("ttas"), cpus, tableThreads, tableHogs, Distribution.parse(cs),
                Distribution.parse(think), policy, durationMs * 1_000_000L, seed, seeds, memoryPressure, checkInvariants, costs);
        List<LockChoice> tableLocks = LockChoice.parseList(locks);
        List<RunSpec> plan = new ArrayList<>();
        for (LockChoice l : tableLocks) {
            plan.add(base.withLock(l));
        }
        List<LockChoice> sweepLocks = sweepLocks();
        List<Integer> sweepThreads = new ArrayList<>();
        if (!noSweeps) {
            for (double m : oversub) {
                int n = Math.max(1, (int) Math.round(m * cpus));
                if (!sweepThreads.contains(n)) {
                    sweepThreads.add(n);
                }
            }
            for (int n : sweepThreads) {
                for (LockChoice l : sweepLocks) {
                    plan.add(base.withThreads("oversub", n, 0, sweepMs * 1_000_000L).withSeeds(1).withLock(l));
                }
            }
            for (LockChoice.State s : new LockChoice.State[] {LockChoice.State.LOSSY, LockChoice.State.RSEQ}) {
                for (double d : dropRates) {
                    plan.add(base.withThreads("droprate", tableThreads, tableHogs, base.durationNs())
                            .withLock(LockChoice.adaptive(s, d / 100)));
                }
            }
        }
        console.printf(Locale.ROOT, "taskscratch demo: %d CPUs (%s), %d threads, %d hogs, cs %s, think %s, seed %d; %d runs%n",
                cpus, policy, tableThreads, tableHogs, cs, think, seed, plan.size() + 1);
        List<RunResult> results = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            RunSpec s = plan.get(i);
            long t0 = System.nanoTime();
            RunResult r = DemoRun.run(s, null);
            results.add(r);
            console.printf(Locale.ROOT, "  [%2d/%d] %-8s %-22s threads %-3d %12s acq/s  (%.1f s host)%n", i + 1, plan.size() + 1,
                    s.scenario(), s.lock().label(), s.threads(), String.format(Locale.ROOT, "%,.0f", r.throughputPerSec()),
                    (System.nanoTime() - t0) / 1e9);
        }
        Path timeline = timeline(base, plan.size() + 1, dir);
        List<RunResult> table = results.stream().filter(r -> r.spec().scenario().equals("table")).toList();
        console.println();
        console.print(Report.table(String.format(Locale.ROOT,
                "Comparison: %d CPUs, %d threads + %d CPU hogs (%.1fx oversubscribed), cs %s, think %s, %s, %d x %d ms virtual "
                        + "(seeds %d..%d)", cpus, tableThreads, tableHogs, base.oversubscription(), cs, think, policy, seeds, durationMs,
                seed, seed + seeds - 1), table));
        console.println("  acq/s = acquisitions per virtual second; p50..max = acquire latency; spin/acq = CPU burnt in spin pauses and");
        console.println("  polls per acquisition; csw/acq, park/acq per acquisition; min/max and jain = fairness; >1ms = starvation events;");
        console.println("  wfail = region writes that did not land (lossy / rseq state).");
        List<RunResult> graded = new ArrayList<>(table);
        graded.addAll(results.stream().filter(r -> r.spec().scenario().equals("droprate")).toList());
        console.println();
        console.print(Report.truthTable("Owner-state answers graded against the model's truth (table, then the drop-rate sweep):", graded));
        console.println("  ans/acq = owner-state answers per acquisition; falseRUN / falseNOT = answers RUNNING while the owner was");
        console.println("  off-CPU / NOT_RUNNING while it ran, and unknown, in % of answers; yld/acq = yield advice (shouldYield) per");
        console.println("  acquisition, fyld/acq = of which the spinner had really run less than a slice; offcpu-spin = spin per");
        console.println("  acquisition on owners that were really off-CPU; wpark/acq = parks after a spin a wrong answer ended.");
        dir.write("results.csv", Report.csv(results));
        List<Long> seedList = new ArrayList<>();
        for (long k = 0; k < seeds; k++) {
            seedList.add(seed + k);
        }
        dir.write("results.json", Report.json(metadata(seedList), results));
        if (!noSweeps) {
            writeCharts(results, sweepLocks, sweepThreads, dir);
            console.println();
            console.print(Goals.check(results, base, cpus));
        }
        console.printf(Locale.ROOT, "%nwrote %s (results.csv, results.json%s, %s) in %.1f s host time%n", dir.dir(),
                noSweeps ? "" : ", oversubscription.svg, drop-rate.svg", timeline.getFileName(), (System.nanoTime() - hostStart) / 1e9);
        return 0;
    }

    /** {@code --backend kernel}: see {@link KernelDemo}. */
    private int callKernel(OutputDir dir) throws IOException, InterruptedException {
        if (!spec.commandLine().getParseResult().hasMatchedOption("--duration-ms")) {
            durationMs = KernelDemo.DEFAULT_DURATION_MS; // wall time: the model's default is too short (and results.json shows this)
        }
        return KernelDemo.run(this, durationMs, dir, console);
    }

    private List<LockChoice> sweepLocks() {
        List<LockChoice> l = new ArrayList<>();
        for (String c : LockChoice.CLASSIC) {
            l.add(LockChoice.parse(c));
        }
        l.add(LockChoice.parse("adaptive-none"));
        l.add(LockChoice.parse("adaptive-pinned"));
        l.add(LockChoice.parse("adaptive-lossy-10"));
        l.add(LockChoice.parse("adaptive-rseq-10"));
        return l;
    }

    /** One more run of adaptive[pinned] with the trace recorder and hold/spin/park marks; writes timeline.svg. */
    private Path timeline(RunSpec base, int n, OutputDir dir) throws IOException {
        long ns = base.durationNs(); // the whole run: holder preemptions are rare in the first milliseconds
        RunSpec s = base.withThreads("timeline", base.threads(), base.hogs(), ns).withSeeds(1).withLock(LockChoice.parse("adaptive-pinned"));
        TraceRecorder[] rec = new TraceRecorder[1];
        long t0 = System.nanoTime();
        DemoRun.run(s, rec);
        Timeline tl = Timeline.of(rec[0].trace(), ns);
        long width = timelineUs * 1_000;
        TimelineWindow.Choice w = TimelineWindow.choose(tl, width);
        long from = w.fromNs();
        String title = String.format(Locale.ROOT, "adaptive[pinned], %d CPUs, %d threads + %d hogs, seed %d, %d µs from %.3f ms: %s",
                s.cpus(), s.threads(), s.hogs(), s.seed(), timelineUs,
                from / 1e6, w.shows());
        Path file = dir.write("timeline.svg", SvgTimeline.render(tl, from, Math.min(ns, from + width), 1400, title));
        console.printf(Locale.ROOT, "  [%2d/%d] timeline adaptive[pinned] with hold/spin/park marks (%.1f s host)%n", n, n,
                (System.nanoTime() - t0) / 1e9);
        return file;
    }

    private void writeCharts(List<RunResult> results, List<LockChoice> sweepLocks, List<Integer> sweepThreads, OutputDir dir)
            throws IOException {
        List<String> xs = new ArrayList<>();
        for (int n : sweepThreads) {
            xs.add(n + " (" + fmt(n / (double) cpus) + "x)");
        }
        List<Charts.Series> series = new ArrayList<>();
        for (LockChoice l : sweepLocks) {
            double[] ys = new double[sweepThreads.size()];
            for (int i = 0; i < ys.length; i++) {
                ys[i] = find(results, "oversub", l.id(), sweepThreads.get(i)).map(RunResult::throughputPerSec).orElse(Double.NaN);
            }
            series.add(new Charts.Series(l.label(), ys));
        }
        dir.write("oversubscription.svg", Charts.render(List.of(new Charts.Panel(
                "Throughput vs oversubscription (" + cpus + " CPUs, no hogs, cs " + cs + ", think " + think + ")", "threads (per CPU)",
                "acquisitions / s", xs, series, null, true, List.of(), FEATURED_LOCK))));
        List<String> drops = new ArrayList<>();
        double[] dropX = new double[dropRates.size()];
        for (int i = 0; i < dropX.length; i++) {
            drops.add(fmt(dropRates.get(i)) + "%");
            dropX[i] = Math.log10(1 + dropRates.get(i)); // log-like: 0, 1, 10, 50, 100 % all apart, 0 included
        }
        List<Charts.Series> thr = new ArrayList<>();
        List<Charts.Series> waste = new ArrayList<>();
        for (LockChoice.State s : new LockChoice.State[] {LockChoice.State.LOSSY, LockChoice.State.RSEQ}) {
            double[] t = new double[dropRates.size()];
            double[] w = new double[dropRates.size()];
            for (int i = 0; i < t.length; i++) {
                String id = LockChoice.adaptive(s, dropRates.get(i) / 100).id();
                RunResult r = find(results, "droprate", id, -1).orElse(null);
                t[i] = r == null ? Double.NaN : r.throughputPerSec();
                w[i] = r == null ? Double.NaN : r.spinNsPerAcq();
            }
            String name = "adaptive[" + s.name().toLowerCase(Locale.ROOT) + "]";
            thr.add(new Charts.Series(name, t));
            waste.add(new Charts.Series(name, w));
        }
        // The no-state reference: adaptive[none] in the same scenario (the table's run, when the table has it).
        RunResult none = find(results, "table", "adaptive-none", -1).orElse(null);
        String ref = "adaptive[none]";
        String xTitle = "drop rate (log scale: x = log10(1 + %))";
        dir.write("drop-rate.svg", Charts.render(List.of(
                new Charts.Panel("Throughput vs drop rate", xTitle, "acquisitions / s", drops, thr, dropX, false,
                        none == null ? List.of() : List.of(new Charts.Reference(ref, none.throughputPerSec())), null),
                new Charts.Panel("Spin waste vs drop rate", xTitle, "spin ns per acquisition", drops, waste, dropX, false,
                        none == null ? List.of() : List.of(new Charts.Reference(ref, none.spinNsPerAcq())), null))));
    }

    static java.util.Optional<RunResult> find(List<RunResult> results, String scenario, String lockId, int threads) {
        return results.stream().filter(r -> r.spec().scenario().equals(scenario) && r.spec().lock().id().equals(lockId)
                && (threads < 0 || r.spec().threads() == threads)).findFirst();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString(Math.round(v)) : Double.toString(v);
    }
}
