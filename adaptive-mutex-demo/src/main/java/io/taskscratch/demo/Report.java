package io.taskscratch.demo;

import io.taskscratch.sched.calibration.Json;

import java.util.List;
import java.util.Locale;

/**
 * Formats run results: the terminal table, CSV and JSON. Only virtual-time measurements go into
 * the files, so the same seed gives byte-identical files.
 */
final class Report {
    /** CSV columns, in order. */
    static final String CSV_HEADER = "scenario,lock,lock_name,cpus,threads,hogs,oversubscription,cs,think,policy,duration_ns,seed,"
            + "memory_pressure,acquisitions,throughput_per_s,p50_ns,p99_ns,p999_ns,max_ns,spin_ns_per_acq,yields_per_acq,"
            + "context_switches,preemptions,worker_cpus,parks,handoffs,fairness_min_max,jain,starvation,writer_attempts,writer_failed,"
            + "state_answers,false_running,false_not_running,unknown_answers,yield_advice,false_yields,offcpu_spin_ns,wrong_parks,costs";

    private Report() {
    }

    /**
     * The comparison table for the terminal.
     *
     * @param title   heading line
     * @param results rows
     * @return the table text
     */
    static String table(String title, List<RunResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(title).append('\n');
        String fmt = "%-22s %11s %9s %9s %9s %9s %9s %7s %7s %6s %6s %6s %7s%n";
        String head = String.format(Locale.ROOT, fmt, "lock", "acq/s", "p50", "p99", "p99.9", "max", "spin/acq",
                "csw/acq", "park/acq", "min/max", "jain", ">1ms", "wfail");
        sb.append(head);
        sb.append("-".repeat(head.length() - 1)).append('\n');
        for (RunResult r : results) {
            double acq = Math.max(1, r.acquisitions());
            sb.append(String.format(Locale.ROOT, fmt, r.spec().lock().label(), String.format(Locale.ROOT, "%,.0f", r.throughputPerSec()),
                    time(r.p50Ns()), time(r.p99Ns()), time(r.p999Ns()), time(r.maxNs()), time(Math.round(r.spinNsPerAcq())),
                    String.format(Locale.ROOT, "%.3f", r.contextSwitches() / acq), String.format(Locale.ROOT, "%.3f", r.parks() / acq),
                    String.format(Locale.ROOT, "%.2f", r.fairnessMinMax()), String.format(Locale.ROOT, "%.3f", r.jain()),
                    Long.toString(r.starvation()),
                    r.writerAttempts() == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * r.writerFailRate())));
        }
        return sb.toString();
    }

    /**
     * The adaptive mutex's owner-state answers graded against the model's truth ({@link TruthMeter}),
     * one line per graded result; results without grading are skipped.
     *
     * @param title   heading line
     * @param results rows
     * @return the table text
     */
    static String truthTable(String title, List<RunResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(title).append('\n');
        String fmt = "%-22s %11s %8s %9s %9s %8s %9s %9s %12s %10s%n";
        String head = String.format(Locale.ROOT, fmt, "lock", "acq/s", "ans/acq", "falseRUN", "falseNOT", "unknown",
                "yld/acq", "fyld/acq", "offcpu-spin", "wpark/acq");
        sb.append(head);
        sb.append("-".repeat(head.length() - 1)).append('\n');
        for (RunResult r : results) {
            TruthMeter.Stats t = r.truth();
            if (t == null) {
                continue;
            }
            double acq = Math.max(1, r.acquisitions());
            double ans = Math.max(1, t.answers());
            sb.append(String.format(Locale.ROOT, fmt, r.spec().lock().label(), String.format(Locale.ROOT, "%,.0f", r.throughputPerSec()),
                    String.format(Locale.ROOT, "%.3f", t.answers() / acq), pct(t.falseRunning() / ans), pct(t.falseNotRunning() / ans),
                    pct(t.unknown() / ans), String.format(Locale.ROOT, "%.4f", t.yieldAdvice() / acq),
                    String.format(Locale.ROOT, "%.4f", t.falseYields() / acq),
                    time(Math.round(t.offCpuSpinNs() / acq)), String.format(Locale.ROOT, "%.4f", t.wrongParks() / acq)));
        }
        return sb.toString();
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    /** A duration for the table: ns, µs or ms with 3 significant digits. */
    static String time(long ns) {
        if (ns < 1_000) {
            return ns + "ns";
        }
        if (ns < 1_000_000) {
            return String.format(Locale.ROOT, "%.3gus", ns / 1e3);
        }
        return String.format(Locale.ROOT, "%.3gms", ns / 1e6);
    }

    /**
     * All results as CSV.
     *
     * @param results rows
     * @return the file's text
     */
    static String csv(List<RunResult> results) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (RunResult r : results) {
            RunSpec s = r.spec();
            sb.append(String.join(",", s.scenario(), s.lock().id(), quote(r.lockName()), i(s.cpus()), i(s.threads()), i(s.hogs()),
                    d(s.oversubscription()), s.cs().label(), s.think().label(), s.policy(), l(s.durationNs()), l(s.seed()),
                    d(s.memoryPressure()), l(r.acquisitions()), d(r.throughputPerSec()), l(r.p50Ns()), l(r.p99Ns()),
                    l(r.p999Ns()), l(r.maxNs()), d(r.spinNsPerAcq()), d(r.yieldsPerAcq()), l(r.contextSwitches()),
                    l(r.preemptions()), d(r.workerCpus()), l(r.parks()), l(r.handoffs()), d(r.fairnessMinMax()), d(r.jain()), l(r.starvation()),
                    l(r.writerAttempts()), l(r.writerFailed()), truthCells(r.truth()), quote(s.costs().summary()))).append('\n');
        }
        return sb.toString();
    }

    /** The graded-answer cells; empty (JSON null) where nothing was graded. */
    private static String truthCells(TruthMeter.Stats t) {
        if (t == null) {
            return ",,,,,,,";
        }
        return String.join(",", l(t.answers()), l(t.falseRunning()), l(t.falseNotRunning()), l(t.unknown()), l(t.yieldAdvice()), l(t.falseYields()),
                l(t.offCpuSpinNs()), l(t.wrongParks()));
    }

    /**
     * The run's metadata and all results as one JSON object: {@code "run"} (see {@link RunMetadata})
     * and {@code "results"}, an array of objects with the CSV's fields.
     *
     * @param run     what the run was
     * @param results rows
     * @return the file's text
     */
    static String json(RunMetadata run, List<RunResult> results) {
        String[] names = CSV_HEADER.split(",");
        String[] lines = csv(results).split("\n");
        StringBuilder sb = new StringBuilder("{\n  \"run\": ").append(run.json("  ")).append(",\n  \"results\": [\n");
        for (int row = 1; row < lines.length; row++) {
            String[] cells = splitCsv(lines[row]);
            sb.append("    {");
            for (int c = 0; c < names.length; c++) {
                if (c > 0) {
                    sb.append(", ");
                }
                sb.append('"').append(names[c]).append("\": ").append(jsonValue(cells[c]));
            }
            sb.append(row < lines.length - 1 ? "},\n" : "}\n");
        }
        return sb.append("  ]\n}\n").toString();
    }

    private static String jsonValue(String cell) {
        if (cell.isEmpty()) {
            return "null";
        }
        if (cell.matches("-?[0-9]+(\\.[0-9]+)?")) {
            return cell;
        }
        return Json.quote(cell.startsWith("\"") ? cell.substring(1, cell.length() - 1).replace("\"\"", "\"") : cell);
    }

    private static String[] splitCsv(String line) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
                cur.append(ch);
            } else if (ch == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out.toArray(String[]::new);
    }

    /** A CSV cell in double quotes (also used by {@link ValidateCommand}). */
    static String quote(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static String i(int v) {
        return Integer.toString(v);
    }

    private static String l(long v) {
        return Long.toString(v);
    }

    private static String d(double v) {
        if (Double.isNaN(v)) {
            return ""; // not measured: JSON null
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
