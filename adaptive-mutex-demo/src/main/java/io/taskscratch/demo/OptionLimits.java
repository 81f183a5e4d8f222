package io.taskscratch.demo;

import io.taskscratch.sched.calibration.CalibrationProfile;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Locale;

/**
 * The demo's option limits, checked all at once before anything runs, prints or writes: a bad
 * value ends the demo with exit code 2 and one line naming the option, the value and what is
 * allowed. The limits keep a run's memory and host time bounded (the model holds every task and
 * its histogram in memory); {@code --help} shows them.
 */
final class OptionLimits {
    /** Most modelled CPUs. */
    static final int MAX_CPUS = 256;
    /** Most contending tasks or hogs in one run, and most oversubscription-sweep threads. */
    static final int MAX_TASKS = 1024;
    /** Most seeds pooled per run. */
    static final int MAX_SEEDS = 64;
    /** Longest run, in ms (virtual time in the model, wall time on the kernel backend). */
    static final long MAX_DURATION_MS = 60_000;
    /** Widest timeline window, in µs: wider ones draw sub-pixel intervals. */
    static final long MAX_TIMELINE_US = 5_000;
    /** Most threads per CPU in the oversubscription sweep. */
    static final double MAX_OVERSUB = 64;
    /** Most repeats per lock on the kernel backend. */
    static final int MAX_REPEATS = 20;
    /** Scheduler policies of the model. */
    static final List<String> POLICIES = List.of("fair", "eevdf", "rr");
    /** Backends. */
    static final List<String> BACKENDS = List.of("model", "kernel");
    /** Options that configure the model and mean nothing for real threads on this machine. */
    static final List<String> MODEL_ONLY = List.of("--cpus", "--policy", "--seed", "--seeds", "--memory-pressure", "--oversub",
            "--drop-rates", "--sweep-ms", "--timeline-us", "--check-invariants", "--no-sweeps", "--calibration");
    /** Options of the kernel backend only. */
    static final List<String> KERNEL_ONLY = List.of("--repeats");

    private OptionLimits() {
    }

    /**
     * Checks every option of a parsed command line.
     *
     * @param o       the parsed options
     * @param matched which options the user gave
     * @throws IllegalArgumentException the first bad option, as one line
     */
    static void check(DemoMain o, ParseResult matched) {
        oneOf("--backend", o.backend, BACKENDS);
        boolean kernel = o.backend.equals("kernel");
        for (String name : kernel ? MODEL_ONLY : KERNEL_ONLY) {
            if (matched.hasMatchedOption(name)) {
                String given = String.join(",", matched.matchedOption(name).stringValues());
                throw new IllegalArgumentException(name + (given.isEmpty() ? "" : " " + given) + ": "
                        + (kernel ? "applies to the scheduler model only, not to --backend kernel (real threads on this machine's CPUs)"
                                  : "applies to --backend kernel only"));
            }
        }
        range("--cpus", o.cpus, 1, MAX_CPUS);
        range("--threads", o.threads, 0, MAX_TASKS);
        range("--hogs", o.hogs, -1, MAX_TASKS);
        range("--seeds", o.seeds, 1, MAX_SEEDS);
        range("--duration-ms", o.durationMs, 1, MAX_DURATION_MS);
        range("--sweep-ms", o.sweepMs, 1, MAX_DURATION_MS);
        range("--timeline-us", o.timelineUs, 1, Math.min(MAX_TIMELINE_US, o.durationMs * 1_000));
        range("--repeats", o.repeats, 1, MAX_REPEATS);
        oneOf("--policy", o.policy, POLICIES);
        if (!(o.memoryPressure >= 0 && o.memoryPressure <= 1)) {
            throw bad("--memory-pressure", num(o.memoryPressure), "must be a fraction in 0..1");
        }
        for (double d : o.dropRates) {
            if (!(d >= 0 && d <= 100)) {
                throw bad("--drop-rates", num(d), "each rate must be a percentage in 0..100");
            }
        }
        for (double m : o.oversub) {
            if (!(m > 0 && m <= MAX_OVERSUB)) {
                throw bad("--oversub", num(m), "each value must be threads per CPU in (0, " + num(MAX_OVERSUB) + "]");
            }
            if (Math.round(m * o.cpus) > MAX_TASKS) {
                throw bad("--oversub", num(m), "x " + o.cpus + " CPUs makes more than " + MAX_TASKS + " threads");
            }
        }
        if (!kernel && 2L * o.cpus > MAX_TASKS && (o.threads == 0 || o.hogs == -1)) {
            throw bad("--cpus", o.cpus, "the default threads and hogs (2 x CPUs) would exceed " + MAX_TASKS + "; give --threads and --hogs");
        }
        if (o.calibration != null) {
            try {
                CalibrationProfile.load(o.calibration);
            } catch (NoSuchFileException e) {
                throw bad("--calibration", o.calibration, "no such file");
            } catch (IOException | RuntimeException e) {
                throw bad("--calibration", o.calibration, "not a calibration profile: " + e.getMessage());
            }
        }
        distribution("--cs", o.cs);
        distribution("--think", o.think);
        for (String l : o.locks) {
            LockChoice c;
            try {
                c = LockChoice.parse(l);
            } catch (IllegalArgumentException e) {
                String why = e.getMessage();
                throw bad("--locks", l, why.substring(why.indexOf(": ") + 2)); // LockChoice's "lock '<name>': <why>"
            }
            boolean modelOnly = c.state() == LockChoice.State.PINNED || c.state() == LockChoice.State.LOSSY
                    || c.state() == LockChoice.State.RSEQ;
            if (kernel && modelOnly) {
                throw bad("--locks", l, "its owner state is written by the scheduler model only; with --backend kernel use "
                        + "adaptive-kernel, adaptive-none or a classic lock");
            }
            if (!kernel && c.state() == LockChoice.State.KERNEL) {
                throw bad("--locks", l, "needs --backend kernel");
            }
        }
    }

    private static void range(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw bad(option, value, "must be " + min + ".." + max);
        }
    }

    private static void oneOf(String option, String value, List<String> allowed) {
        if (!allowed.contains(value)) {
            throw bad(option, value, "use " + String.join(" or ", allowed));
        }
    }

    private static void distribution(String option, String value) {
        try {
            Distribution d = Distribution.parse(value);
            if (d.longNs() > MAX_DURATION_MS * 1_000_000L) {
                throw bad(option, value, "must be at most " + MAX_DURATION_MS + "ms");
            }
        } catch (ArithmeticException | IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(option)) {
                throw e;
            }
            throw bad(option, value, "use 0, <n>ns, <n>us, <n>ms or bimodal");
        }
    }

    private static IllegalArgumentException bad(String option, Object value, String why) {
        return new IllegalArgumentException(option + " " + value + ": " + why);
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
