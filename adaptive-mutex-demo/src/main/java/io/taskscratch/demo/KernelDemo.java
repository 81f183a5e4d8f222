package io.taskscratch.demo;

import io.taskscratch.kernel.KernelAvailability;
import io.taskscratch.kernel.KernelOwnerState;
import io.taskscratch.kernel.SharedKernelState;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code --backend kernel}: the lock set on real platform threads of this machine, not
 * oversubscribed (threads = CPUs) and oversubscribed ({@code --threads}, default 4 × CPUs), with
 * {@code adaptive-kernel} added (one table when {@code --threads} equals the CPU count).
 * Wall-clock numbers vary from run to run, so each lock runs {@code --repeats} times, the repeats
 * interleaved (every lock once per round, the order rotated each round); the table shows the
 * median run and a second table the spread.
 */
final class KernelDemo {
    /**
     * Wall time per run when {@code --duration-ms} is not given: 30 ms runs of one lock gave
     * 418k, 97k and 249k acq/s on a busy 2-CPU host; half a second averages over hundreds of
     * scheduler slices (docs/demo.md has the measured spread).
     */
    static final long DEFAULT_DURATION_MS = 500;
    /** Runs per lock and thread count when {@code --repeats} is not given. */
    static final int DEFAULT_REPEATS = 3;
    /** Seed of the workload's section and think times; the schedule itself is the machine's. */
    static final long WORKLOAD_SEED = 1;
    /** The policy column of kernel rows: the machine's own Linux scheduler. */
    static final String POLICY = "linux";
    /** Oversubscribed thread count per CPU when {@code --threads} is not given. */
    private static final int DEFAULT_THREADS_PER_CPU = 4;

    private KernelDemo() {
    }

    /**
     * Runs the kernel comparison and writes {@code results-kernel.csv} and {@code results-kernel.json}.
     *
     * @param o          the parsed, checked options
     * @param durationMs wall time per run
     * @param dir        the output
     * @param console    where the tables go
     * @return the exit code: 0, or 1 when the kernel backend is unavailable
     * @throws IOException          if an output file cannot be written
     * @throws InterruptedException if interrupted while waiting for the workers
     */
    static int run(DemoMain o, long durationMs, OutputDir dir, PrintStream console) throws IOException, InterruptedException {
        console.println("--backend kernel: loading the sched_switch BPF program (tp_btf/sched_switch, uptr task storage) into "
                + "this kernel; it stays attached until the demo exits");
        SharedKernelState kernel = KernelOwnerState.shared(); // the opt-in shared backend
        KernelAvailability a = kernel.availability();
        if (!a.available()) {
            console.println("--backend kernel: the kernel backend is unavailable: " + a.reason());
            return 1;
        }
        int n = Runtime.getRuntime().availableProcessors();
        List<LockChoice> set = new ArrayList<>(LockChoice.parseList(o.locks).stream()
                .filter(l -> l.state() == LockChoice.State.NONE || l.state() == LockChoice.State.KERNEL).toList());
        if (set.stream().noneMatch(l -> l.state() == LockChoice.State.KERNEL)) {
            set.add(LockChoice.parse("adaptive-kernel"));
        }
        int over = o.threads > 0 ? o.threads : DEFAULT_THREADS_PER_CPU * n;
        int h = Math.max(o.hogs, 0);
        double pauseNs = KernelDemoRun.measurePauseNs();
        console.printf(Locale.ROOT, "taskscratch demo, --backend kernel: real threads on %d CPUs (Linux scheduler), threads %d and %d,"
                + " %d hogs, cs %s, think %s, %d x %d ms wall per lock, spin pause %.1f ns%n", n, n, over, h, o.cs, o.think, o.repeats,
                durationMs, pauseNs);
        List<RunResult> results = new ArrayList<>();
        StringBuilder spread = new StringBuilder();
        for (int t : over == n ? new int[] {n} : new int[] {n, over}) {
            List<RunResult> table = new ArrayList<>();
            spread.append(String.format(Locale.ROOT, "%-22s %7s %11s %11s %11s %8s%n", "lock (" + t + " threads)", "runs", "min", "median",
                    "max", "spread"));
            List<List<RunResult>> runs = new ArrayList<>();
            for (int i = 0; i < set.size(); i++) {
                runs.add(new ArrayList<>());
            }
            // Repeats interleaved, order rotated: a slow stretch of the machine falls on every lock, not on one lock's runs.
            for (int k = 0; k < o.repeats; k++) {
                for (int j = 0; j < set.size(); j++) {
                    int i = (j + k) % set.size();
                    LockChoice l = set.get(i);
                    RunSpec s = new RunSpec("kernel-" + t, l, n, t, h, Distribution.parse(o.cs), Distribution.parse(o.think), POLICY,
                            durationMs * 1_000_000L, WORKLOAD_SEED, 1, 0, false);
                    RunResult r = KernelDemoRun.run(s, kernel, pauseNs);
                    runs.get(i).add(r);
                    results.add(r); // the CSV lists the runs in the order they ran
                    console.printf(Locale.ROOT, "  %-22s threads %-3d run %d/%d %12s acq/s%n", l.label(), t, k + 1, o.repeats,
                            String.format(Locale.ROOT, "%,.0f", r.throughputPerSec()));
                }
            }
            for (int i = 0; i < set.size(); i++) {
                List<RunResult> lockRuns = runs.get(i);
                lockRuns.sort(Comparator.comparingDouble(RunResult::throughputPerSec));
                RunResult median = lockRuns.get(lockRuns.size() / 2);
                table.add(median);
                double lo = lockRuns.get(0).throughputPerSec();
                double hi = lockRuns.get(lockRuns.size() - 1).throughputPerSec();
                spread.append(String.format(Locale.ROOT, "%-22s %7d %11s %11s %11s %7.0f%%%n", set.get(i).label(), lockRuns.size(), acq(lo),
                        acq(median.throughputPerSec()), acq(hi), median.throughputPerSec() == 0 ? 0 : 100 * (hi - lo) / median.throughputPerSec()));
            }
            console.println();
            console.print(Report.table(String.format(Locale.ROOT, "Real machine (--backend kernel): %d CPUs, %d threads + %d hogs"
                    + " (%.1fx), cs %s, think %s, median of %d x %d ms wall", n, t, h, (t + h) / (double) n, o.cs, o.think, o.repeats,
                    durationMs), table));
        }
        console.println();
        console.println("Spread over the runs (acq/s; spread = (max - min) / median):");
        console.print(spread);
        console.println("  acq/s per wall second; csw/acq = switch-outs of the workers counted by the BPF program; spin/acq = spin");
        console.println("  pauses x measured pause cost, park/acq: the locks built on the metered platform (ReentrantLock and");
        console.println("  synchronized are the JDK's own here: 0); wfail is not measured on the kernel backend.");
        dir.write("results-kernel.csv", Report.csv(results));
        dir.write("results-kernel.json", Report.json(o.metadata(List.of(WORKLOAD_SEED)).put("cpus", n), results));
        console.println("wrote " + dir.dir() + " (results-kernel.csv, results-kernel.json; one row per run)");
        return 0;
    }

    private static String acq(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}
