package io.taskscratch.sched.trace;

import io.taskscratch.sched.SimConfig;
import io.taskscratch.sched.SimResult;
import io.taskscratch.sched.calibration.Calibrate;
import io.taskscratch.sched.Simulation;
import io.taskscratch.sched.workload.SpinParkLock;
import io.taskscratch.sched.workload.Workloads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Command line for the scheduler model's traces.
 *
 * <pre>
 * run    [--cpus 2] [--policy fair|eevdf|rr] [--tasks 8] [--hogs 0] [--ms 5] [--spins 50]
 *        [--cs-ns 1000] [--noncs-ns 1000] [--seed 1] [--out target/sim]
 *        simulates lock contention (the model's spin-then-park lock, hold/wait marks), writes
 *        OUT/trace.tstrace, OUT/timehist.txt and OUT/timeline.svg, prints the summary
 * report TRACE [--svg FILE] [--from NS] [--to NS] [--width PX]
 *        reads a trace file, prints the timehist summary, optionally draws the timeline
 * calibrate --out FILE [--scale 1.0]
 *        measures the model's costs on this machine with real threads, writes a calibration profile
 *        ({@link io.taskscratch.sched.calibration.Calibrate})
 * </pre>
 */
public final class TraceTool {
    private TraceTool() {
    }

    /**
     * Entry point.
     *
     * @param args see the class comment
     * @throws IOException          on file errors
     * @throws InterruptedException if calibration is interrupted
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 0 || !(args[0].equals("run") || args[0].equals("report") || args[0].equals("calibrate"))) {
            System.err.println("usage: run [--cpus N] [--policy fair|eevdf|rr] [--tasks N] [--hogs N] [--ms N] [--spins N]"
                    + " [--cs-ns N] [--noncs-ns N] [--seed N] [--out DIR]\n       report TRACE [--svg FILE] [--from NS] [--to NS] [--width PX]"
                    + "\n       calibrate --out FILE [--scale F]");
            System.exit(2);
            return;
        }
        if (args[0].equals("calibrate")) {
            Calibrate.main(java.util.Arrays.copyOfRange(args, 1, args.length));
        } else if (args[0].equals("run")) {
            run(options(args, 1));
        } else {
            if (args.length < 2) {
                throw new IllegalArgumentException("report: trace file missing");
            }
            report(Path.of(args[1]), options(args, 2));
        }
    }

    private static Map<String, String> options(String[] args, int from) {
        Map<String, String> o = new HashMap<>();
        for (int i = from; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + ": expected --name value");
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        return o;
    }

    private static long num(Map<String, String> o, String name, long dflt) {
        String v = o.get(name);
        try {
            return v == null ? dflt : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " " + v + ": not a number", e);
        }
    }

    private static void run(Map<String, String> o) throws IOException {
        SimConfig config = SimConfig.builder()
                .cpus((int) num(o, "cpus", 2))
                .policy(o.getOrDefault("policy", "fair"))
                .rrSliceNs(num(o, "rr-slice-ns", 1_000_000))
                .seed(num(o, "seed", 1))
                .build();
        Simulation sim = new Simulation(config);
        TraceRecorder rec = TraceRecorder.attach(sim);
        SpinParkLock lock = new SpinParkLock(sim.platform(), (int) num(o, "spins", 50));
        long cs = num(o, "cs-ns", 1_000);
        long noncs = num(o, "noncs-ns", 1_000);
        int tasks = (int) num(o, "tasks", 8);
        for (int i = 0; i < tasks; i++) {
            sim.spawnDaemon("worker-" + i, p -> {
                while (true) {
                    long t0 = p.now();
                    lock.lock();
                    long t1 = p.now();
                    if (t1 > t0) {
                        p.mark("wait", t0, t1);
                    }
                    p.work(cs);
                    lock.unlock();
                    p.mark("hold", t1, p.now());
                    p.work(p.random().nextLong(2 * noncs + 1));
                }
            });
        }
        Workloads.addHogs(sim, (int) num(o, "hogs", 0), 100_000);
        long t0 = System.nanoTime();
        SimResult r = sim.run(num(o, "ms", 5) * 1_000_000L);
        long hostMs = (System.nanoTime() - t0) / 1_000_000;
        Path out = Path.of(o.getOrDefault("out", "target/sim"));
        Files.createDirectories(out);
        rec.writeTo(out.resolve("trace.tstrace"));
        Trace trace = rec.trace();
        String table = TimeHist.format(trace, r.virtualTimeNs());
        Files.writeString(out.resolve("timehist.txt"), table);
        SvgTimeline.write(Timeline.of(trace, r.virtualTimeNs()), 1600, out.resolve("timeline.svg"));
        System.out.print(table);
        System.out.printf("%s after %d ns virtual, %d ms host; %d events, %d model calls, %d switches; trace %d bytes sha256 %s -> %s%n",
                r.status(), r.virtualTimeNs(), hostMs, r.events(), r.modelCalls(), r.switches(), rec.size(), rec.sha256(), out);
    }

    private static void report(Path file, Map<String, String> o) throws IOException {
        Trace trace = TraceReader.read(file);
        long end = num(o, "to", trace.lastTimeNs());
        System.out.print(TimeHist.format(trace, end));
        String svg = o.get("svg");
        if (svg != null) {
            Timeline tl = Timeline.of(trace, Math.max(end, trace.lastTimeNs()));
            Files.writeString(Path.of(svg), SvgTimeline.render(tl, num(o, "from", 0), end, (int) num(o, "width", 1600)));
        }
    }
}
