package io.taskscratch.demo;

import io.taskscratch.kernel.KernelAvailability;
import io.taskscratch.kernel.KernelOwnerState;
import io.taskscratch.kernel.SharedKernelState;
import io.taskscratch.sched.CostProfile;
import io.taskscratch.sched.calibration.CalibrationProfile;
import io.taskscratch.sched.calibration.Calibrate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code validate}: does the model's ranking of the locks predict real threads? Runs fixed
 * workload shapes both in the scheduler model (with a calibration profile) and on real threads
 * on this machine ({@link KernelDemoRun}, adaptive mutex with kernel state where available),
 * interleaved, the real runs repeated; prints per shape each lock's throughput both ways, its
 * ratio to the best lock both ways, Spearman's ρ(model, real) and ρ(real, real), and writes
 * {@code validate.csv} and {@code validate.svg} (model ratio against real ratio per lock). A
 * benchmark, not a test: real numbers vary from run to run. See {@code docs/demo.md}.
 */
@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = DemoVersion.class,
        description = {"Model versus real threads: each lock's throughput and ratio to the best lock in the scheduler model "
            + "(with --calibration) and on this machine, Spearman rank correlations, CSV and an SVG scatter chart."})
public final class ValidateCommand implements Callable<Integer> {
    /** Locks of the comparison; the adaptive mutex reads pinned regions in the model and kernel regions on real threads. */
    static final List<String> LOCKS = List.of("reentrant", "reentrant-fair", "synchronized", "ttas", "spin100", "backoff",
            "yield40", "adaptive-none", "adaptive-state");
    /** Largest allowed difference between a lock's model and real ratio to the best lock (the goal). */
    static final double RATIO_TOLERANCE = 0.10;
    /** ρ(model, real) may fall this far below ρ(real, real). */
    static final double RHO_TOLERANCE = 0.10;

    /**
     * A workload shape.
     *
     * @param name    short name
     * @param threads contending threads; 0 = the machine's CPUs
     * @param hogs    CPU hogs
     * @param cs      critical section (think time is the same)
     */
    record Shape(String name, int threads, int hogs, String cs) {
        /** Whether the goals (ratio within ±0.10, ρ) apply: threads = CPUs, no hogs. */
        boolean graded() {
            return threads == 0 && hogs == 0;
        }
    }

    /** The shapes of a full run. */
    static final List<Shape> SHAPES = List.of(new Shape("cpus-cs1", 0, 0, "1us"), new Shape("cpus-cs5", 0, 0, "5us"),
            new Shape("cpus-cs20", 0, 0, "20us"), new Shape("cpus-cs50", 0, 0, "50us"),
            new Shape("hogs-cs1", 8, 4, "1us"), new Shape("hogs-cs20", 8, 4, "20us"));
    /** The shapes of {@code --short}. */
    static final List<Shape> SHORT_SHAPES = List.of(new Shape("cpus-cs5", 0, 0, "5us"), new Shape("hogs-cs1", 8, 4, "1us"));

    @Option(names = "--calibration", description = "Calibration profile (JSON, from `calibrate`) the model runs with "
            + "(default: the profile checked in with the model).")
    Path calibration;

    @Option(names = "--policy", split = ",", description = "Scheduler policies of the model, each compared with the same real runs "
            + "(default: fair).")
    List<String> policies = List.of("fair");

    @Option(names = "--repeats", description = "Real runs per lock and shape, >= 2 (default ${DEFAULT-VALUE}).")
    int repeats = 3;

    @Option(names = "--real-ms", description = "Wall time of each real run, ms (default ${DEFAULT-VALUE}).")
    long realMs = 300;

    @Option(names = "--model-ms", description = "Virtual time of each model run, ms (default ${DEFAULT-VALUE}).")
    long modelMs = 30;

    @Option(names = "--seeds", description = "Model seeds pooled per run (default ${DEFAULT-VALUE}).")
    int seeds = 3;

    @Option(names = "--seed", description = "First model seed (default ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--short", description = "CI mode: two shapes, 20 ms real, 2 ms virtual, one seed: checks that it completes "
            + "and writes its files; the numbers mean little.")
    boolean shortMode;

    @Option(names = "--out", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out = Path.of("target", "validate");

    private final PrintStream console;

    /** A command printing to standard output. */
    public ValidateCommand() {
        this(System.out);
    }

    ValidateCommand(PrintStream console) {
        this.console = console;
    }

    /** One lock in one shape: the model result (one per policy) and the real repeats. */
    private record Row(Shape shape, String lock, RunResult[] models, double[] real) {
        double realMean() {
            double s = 0;
            for (double v : real) {
                s += v;
            }
            return s / real.length;
        }
    }

    @Spec
    CommandSpec spec;

    private void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new ParameterException(spec.commandLine(), option + " " + value + ": must be >= " + min);
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        atLeast("--repeats", repeats, 2);
        atLeast("--real-ms", realMs, 1);
        atLeast("--model-ms", modelMs, 1);
        atLeast("--seeds", seeds, 1);
        for (String p : policies) {
            if (!OptionLimits.POLICIES.contains(p)) {
                throw new ParameterException(spec.commandLine(), "--policy " + p + ": must be one of " + String.join(", ", OptionLimits.POLICIES));
            }
        }
        CalibrationProfile profile = calibration == null ? CalibrationProfile.defaultProfile() : CalibrationProfile.load(calibration);
        String profileName = calibration == null ? "checked-in default" : calibration.toString();
        List<Shape> shapes = shortMode ? SHORT_SHAPES : SHAPES;
        long real = shortMode ? 20 : realMs;
        long model = shortMode ? 2 : modelMs;
        int modelSeeds = shortMode ? 1 : seeds;
        SharedKernelState kernel = KernelOwnerState.shared();
        KernelAvailability a = kernel.availability();
        if (!a.available()) {
            console.println("validate: kernel backend unavailable (" + a.reason() + "): adaptive-state is left out");
            kernel = null;
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        double pauseNs = KernelDemoRun.measurePauseNs();
        String loadBefore = Calibrate.loadavg();
        console.printf(Locale.ROOT, "validate: %d CPUs, %d shapes, %d real repeats x %d ms wall, model %d ms x %d seeds, load average %s%n"
                + "  calibration %s: %s%n  adaptive mutex: real threads SpinTuning.measured(), model %s%n  model policies: %s%n", cpus,
                shapes.size(), repeats, real, model, modelSeeds, loadBefore, profileName, profile.costs().summary(),
                DemoRun.modelTuning(profile.costs()), String.join(", ", policies));
        List<Row> rows = new ArrayList<>();
        for (Shape shape : shapes) {
            rows.addAll(runShape(shape, cpus, kernel, pauseNs, profile.costs(), real, model, modelSeeds));
        }
        String loadAfter = Calibrate.loadavg();
        console.println();
        StringBuilder csv = new StringBuilder("shape,lock,model_lock,real_lock,cpus,threads,hogs,cs,think,policy,model_throughput_per_s,"
                + "real_throughput_per_s_mean,real_throughput_per_s_repeats,model_ratio,real_ratio,rho_model_real,rho_real_real,"
                + "calibration,costs,loadavg_before,loadavg_after\n");
        List<ValidationChart.Point> points = new ArrayList<>();
        for (Shape shape : shapes) {
            List<Row> rs = rows.stream().filter(r -> r.shape() == shape).toList();
            for (int p = 0; p < policies.size(); p++) {
                report(shape, p, cpus, rs, csv, points, profileName, profile.costs(), loadBefore, loadAfter);
            }
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("validate.csv"), csv.toString());
        Files.writeString(out.resolve("validate.svg"), ValidationChart.render("Model vs real: throughput / best lock ("
                + cpus + " CPUs, calibration " + profileName + ")", points, RATIO_TOLERANCE));
        console.printf(Locale.ROOT, "load average before %s, after %s%nwrote %s (validate.csv, validate.svg)%n", loadBefore, loadAfter,
                out.toAbsolutePath());
        return 0;
    }

    private List<Row> runShape(Shape shape, int cpus, SharedKernelState kernel, double pauseNs, CostProfile costs, long realMs,
                               long modelMs, int modelSeeds) throws InterruptedException {
        int threads = shape.threads() == 0 ? cpus : shape.threads();
        List<String> locks = new ArrayList<>(LOCKS);
        if (kernel == null) {
            locks.remove("adaptive-state");
        }
        RunResult[][] models = new RunResult[locks.size()][policies.size()];
        double[][] reals = new double[locks.size()][repeats];
        Distribution cs = Distribution.parse(shape.cs());
        for (int rep = 0; rep < repeats; rep++) {
            for (int k = 0; k < locks.size(); k++) {
                int i = (k + rep) % locks.size(); // rotate the order: no lock always runs first or last
                String lock = locks.get(i);
                RunSpec realSpec = new RunSpec(shape.name(), LockChoice.parse(realId(lock)), cpus, threads, shape.hogs(), cs, cs,
                        "linux", realMs * 1_000_000L, seed + rep, 1, 0, false);
                reals[i][rep] = KernelDemoRun.run(realSpec, kernel, pauseNs).throughputPerSec();
                StringBuilder modelText = new StringBuilder();
                for (int p = 0; rep == 0 && p < policies.size(); p++) {
                    RunSpec modelSpec = new RunSpec(shape.name(), LockChoice.parse(modelId(lock)), cpus, threads, shape.hogs(), cs, cs,
                            policies.get(p), modelMs * 1_000_000L, seed, modelSeeds, 0, false, costs);
                    models[i][p] = DemoRun.run(modelSpec, null);
                    modelText.append(String.format(Locale.ROOT, "   model[%s] %,12.0f acq/s", policies.get(p), models[i][p].throughputPerSec()));
                }
                console.printf(Locale.ROOT, "  [%s rep %d/%d] %-15s real %,12.0f acq/s%s%n", shape.name(), rep + 1, repeats, lock,
                        reals[i][rep], modelText);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < locks.size(); i++) {
            rows.add(new Row(shape, locks.get(i), models[i], reals[i]));
        }
        return rows;
    }

    private static String modelId(String lock) {
        return lock.equals("adaptive-state") ? "adaptive-pinned" : lock;
    }

    private static String realId(String lock) {
        return lock.equals("adaptive-state") ? "adaptive-kernel" : lock;
    }

    private void report(Shape shape, int policy, int cpus, List<Row> rs, StringBuilder csv, List<ValidationChart.Point> points, String profileName,
                        CostProfile costs, String loadBefore, String loadAfter) {
        int n = rs.size();
        double[] model = new double[n];
        double[] realMean = new double[n];
        for (int i = 0; i < n; i++) {
            model[i] = rs.get(i).models()[policy].throughputPerSec();
            realMean[i] = rs.get(i).realMean();
        }
        double bestModel = max(model);
        double bestReal = max(realMean);
        double rhoModelReal = RankCorrelation.spearman(model, realMean);
        double rhoRealSum = 0;
        double rhoRealMin = Double.POSITIVE_INFINITY;
        int pairs = 0;
        for (int x = 0; x < repeats; x++) {
            for (int y = x + 1; y < repeats; y++) {
                double[] a = new double[n];
                double[] b = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = rs.get(i).real()[x];
                    b[i] = rs.get(i).real()[y];
                }
                double rho = RankCorrelation.spearman(a, b);
                rhoRealSum += rho;
                rhoRealMin = Math.min(rhoRealMin, rho);
                pairs++;
            }
        }
        double rhoReal = rhoRealSum / pairs;
        Row first = rs.getFirst();
        RunSpec spec = first.models()[policy].spec();
        console.printf(Locale.ROOT, "%s: %d threads + %d hogs on %d CPUs, cs %s, think %s, model policy %s%n", shape.name(), spec.threads(),
                spec.hogs(), cpus, shape.cs(), shape.cs(), spec.policy());
        String fmt = "  %-15s %13s %13s %9s %9s %7s   %s%n";
        console.printf(Locale.ROOT, fmt, "lock", "model acq/s", "real acq/s", "model/best", "real/best", "diff", "real repeats");
        int within = 0;
        for (int i = 0; i < n; i++) {
            Row r = rs.get(i);
            double mr = model[i] / bestModel;
            double rr = realMean[i] / bestReal;
            if (Math.abs(mr - rr) <= RATIO_TOLERANCE) {
                within++;
            }
            StringBuilder reps = new StringBuilder();
            for (double v : r.real()) {
                reps.append(reps.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.0f", v));
            }
            console.printf(Locale.ROOT, fmt, r.lock(), String.format(Locale.ROOT, "%,.0f", model[i]),
                    String.format(Locale.ROOT, "%,.0f", realMean[i]), String.format(Locale.ROOT, "%.2f", mr),
                    String.format(Locale.ROOT, "%.2f", rr), String.format(Locale.ROOT, "%+.2f", mr - rr), reps);
            csv.append(String.join(",", shape.name(), r.lock(), modelId(r.lock()), realId(r.lock()), Integer.toString(cpus),
                    Integer.toString(spec.threads()), Integer.toString(spec.hogs()), shape.cs(), shape.cs(), spec.policy(), num(model[i]), num(realMean[i]),
                    reps.toString(), num(mr), num(rr), num(rhoModelReal), num(rhoReal), Report.quote(profileName), Report.quote(costs.summary()),
                    Report.quote(loadBefore), Report.quote(loadAfter))).append('\n');
            points.add(new ValidationChart.Point(policies.size() == 1 ? shape.name() : shape.name() + "/" + spec.policy(), r.lock(), rr, mr));
        }
        console.printf(Locale.ROOT, "  rho(model, real) %.2f   rho(real, real) %.2f (mean of %d pairs, min %.2f)%n", rhoModelReal, rhoReal,
                pairs, rhoRealMin);
        if (shape.graded()) {
            console.printf(Locale.ROOT, "  [%s] ratios within +-%.2f: %d of %d locks%n", within == n ? "met " : "MISS", RATIO_TOLERANCE, within, n);
            console.printf(Locale.ROOT, "  [%s] rho(model, real) >= rho(real, real) - %.1f: %.2f vs %.2f%n",
                    rhoModelReal >= rhoReal - RHO_TOLERANCE ? "met " : "MISS", RHO_TOLERANCE, rhoModelReal, rhoReal - RHO_TOLERANCE);
        } else {
            console.printf(Locale.ROOT, "  [info] under hogs: model rank inside the real spread if rho(model, real) >= min rho(real, real):"
                    + " %.2f vs %.2f%n", rhoModelReal, rhoRealMin);
        }
        console.println();
    }

    private static double max(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}
