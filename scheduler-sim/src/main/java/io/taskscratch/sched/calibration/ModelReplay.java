package io.taskscratch.sched.calibration;

import io.taskscratch.sched.SimConfig;
import io.taskscratch.sched.SimPlatform;
import io.taskscratch.sched.SimTask;
import io.taskscratch.sched.Simulation;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Replays {@link Calibrate}'s probes inside the model with a profile's costs and compares each
 * with the p50 measured on the machine: the check that every calibrated event costs in the model
 * what it cost on the machine that made the profile ({@code calibrate} prints it).
 */
public final class ModelReplay {
    /** Largest relative difference counted as a match (±25 %). */
    public static final double TOLERANCE = 0.25;
    private static final int ROUNDS = 200;
    private static final long GAP_NS = 20_000L;
    /** Polls replayed at once: one poll is below the model's 1 ns resolution. */
    private static final int LOADS = 1_000;

    private ModelReplay() {
    }

    /**
     * The model's value of each replayable probe with {@code profile}'s costs.
     *
     * @param profile the profile
     * @return probe name to model time in ns
     */
    public static Map<String, Double> replay(CalibrationProfile profile) {
        Map<String, Double> m = new LinkedHashMap<>();
        SimConfig.Builder one = SimConfig.builder().cpus(1).costs(profile.costs());
        SimConfig.Builder two = SimConfig.builder().cpus(2).costs(profile.costs());
        m.put("nanotime", single(one.build(), p -> p.nanoTime()));
        m.put("onspinwait", single(one.build(), SimPlatform::spinPause));
        m.put("spinload", single(one.build(), p -> p.spinLoads(LOADS)) / LOADS);
        m.put("yield-empty", single(one.build(), SimPlatform::yieldCpu));
        m.put("parknanos-1us", single(one.build(), p -> p.parkNanos(Calibrate.TIMED_PARK_NS)));
        m.put("yield-switch", yieldSwitch(one.build()));
        double[] cross = pingPong(two.build());
        m.put("pingpong-cross-latency", cross[0]);
        m.put("pingpong-cross-unpark", cross[1]);
        double[] same = pingPong(one.build());
        m.put("pingpong-same-latency", same[0]);
        m.put("pingpong-same-unpark", same[1]);
        CalibrationProfile.Probe local = profile.measured().get("cas-private");
        m.put("cas-pingpong", casPingPong(two.build(), local == null ? 0 : Math.round(local.p50Ns())));
        return m;
    }

    /**
     * Prints model against measured p50 per probe and returns how many are outside ±25 %.
     *
     * @param profile a profile with its measurements
     * @param out     where to print
     * @return probes outside the tolerance
     */
    public static int check(CalibrationProfile profile, PrintStream out) {
        int off = 0;
        out.println("model replay (the profile's costs in the model vs the measured p50):");
        for (Map.Entry<String, Double> e : replay(profile).entrySet()) {
            CalibrationProfile.Probe p = profile.measured().get(e.getKey());
            if (p == null) {
                continue;
            }
            double rel = p.p50Ns() == 0 ? 0 : e.getValue() / p.p50Ns() - 1;
            boolean ok = Math.abs(rel) <= TOLERANCE;
            off += ok ? 0 : 1;
            out.printf(Locale.ROOT, "  [%s] %-26s model %10.1f ns  measured %10.1f ns  %+6.1f %%%n", ok ? "ok " : "OFF", e.getKey(),
                    e.getValue(), p.p50Ns(), 100 * rel);
        }
        return off;
    }

    private interface Op {
        void run(SimPlatform p);
    }

    private static double single(SimConfig c, Op op) {
        long[] t = new long[2];
        Simulation sim = new Simulation(c);
        sim.spawn("probe", p -> {
            t[0] = p.now();
            op.run(p);
            t[1] = p.now();
        });
        sim.run(1_000_000_000L);
        return t[1] - t[0];
    }

    private static double yieldSwitch(SimConfig c) {
        long[] t = new long[2];
        Simulation sim = new Simulation(c);
        sim.spawnDaemon("partner", p -> {
            while (true) {
                p.yieldCpu();
            }
        });
        sim.spawn("probe", p -> {
            p.yieldCpu();
            t[0] = p.now();
            for (int i = 0; i < ROUNDS; i++) {
                p.yieldCpu();
            }
            t[1] = p.now();
        });
        sim.run(1_000_000_000L);
        return (t[1] - t[0]) / (double) ROUNDS;
    }

    /**
     * The CAS ping-pong of {@link Calibrate} in the model: two tasks on two CPUs take turns to
     * write one line, each polling it until the other's write; mean time per hand-over. Before each
     * write a task also runs {@code localNs}, the measured {@code cas-private} (the load and CAS
     * themselves, which the model charges no cost for).
     */
    private static double casPingPong(SimConfig c, long localNs) {
        Object line = new Object();
        int[] word = {0};
        long[] t = new long[2];
        Simulation sim = new Simulation(c);
        for (int me = 0; me < 2; me++) {
            int side = me;
            sim.spawn("cas-" + me, p -> {
                for (int v = side; v < 2 * ROUNDS; v += 2) {
                    if (v == 2) {
                        t[0] = p.now(); // the first hand-over of the line done: both CPUs hold it
                    }
                    for (;;) {
                        p.lineAccess(line, false);
                        if (word[0] == v) {
                            break;
                        }
                        p.spinLoads(1);
                    }
                    p.work(localNs);
                    p.lineAccess(line, true); // the write follows its declaration with no model call between
                    word[0] = v + 1;
                }
                t[1] = Math.max(t[1], p.now());
            });
        }
        sim.run(1_000_000_000L);
        return (t[1] - t[0]) / (2.0 * ROUNDS - 2);
    }

    /** The ping-pong of {@link Calibrate} in the model: {median latency, median unpark cost}. */
    private static double[] pingPong(SimConfig c) {
        long[] t0 = new long[ROUNDS];
        long[] latency = new long[ROUNDS];
        long[] cost = new long[ROUNDS];
        int[] turn = {-1};
        Simulation sim = new Simulation(c);
        SimTask[] sides = new SimTask[2];
        for (int me = 0; me < 2; me++) {
            int side = me;
            sides[me] = sim.spawn("side-" + me, p -> {
                for (int r = 0; r < ROUNDS; r++) {
                    if (r % 2 == side) {
                        p.work(GAP_NS);
                        long s = p.now();
                        t0[r] = s;
                        turn[0] = r;
                        p.unpark(sides[1 - side]);
                        cost[r] = p.now() - s;
                    } else {
                        while (turn[0] < r) {
                            p.park();
                        }
                        latency[r] = p.now() - t0[r];
                    }
                }
            });
        }
        sim.run(10_000_000_000L);
        java.util.Arrays.sort(latency);
        java.util.Arrays.sort(cost);
        return new double[] {latency[ROUNDS / 2], cost[ROUNDS / 2]};
    }
}
