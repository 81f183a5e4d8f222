package io.taskscratch.sched.calibration;

import io.taskscratch.sched.CostProfile;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures the model's costs on this machine with real threads and writes a
 * {@link CalibrationProfile} ({@code calibrate --out FILE}; see {@code docs/scheduler-sim.md}).
 *
 * <p>Probes, each printed with p50/p90 as it finishes: {@code nanotime}, {@code onspinwait} and
 * {@code spinload} (one iteration of HotSpot's monitor spin loop on a held lock, pauses left out:
 * load the owner word, compare, load the successor word) (batches of 1000 calls, per call); {@code yield-empty} (one {@code Thread.yield()} with nothing
 * else to run on a pinned CPU); {@code parknanos-1us} (one {@code LockSupport.parkNanos(1 µs)} on a
 * pinned CPU with nothing else to run: the timer slack shows); {@code yield-switch} (two threads pinned to one CPU yielding to
 * each other: per yield of one thread, two context switches, syscalls included); {@code pingpong-cross} and
 * {@code pingpong-same} (two threads park/unpark each other, pinned to two CPUs or to one: the
 * latency from the start of {@code unpark} to the wakee's {@code park} returning, and what the
 * {@code unpark} call cost the waker); {@code cas-pingpong} (two threads pinned to two CPUs take turns
 * to CAS one word, each waiting in a load loop for the other's CAS: per hand-over) and
 * {@code cas-private} (the same load and CAS on a word one thread keeps to itself); {@code preempted-under-hogs} (2 spinning threads + 4 CPU
 * hogs: how long a thread stays off its CPU once preempted, for reference — the model produces
 * this from its scheduler, it is not a cost).
 *
 * <p>Costs derived from the p50s (the model's view of each event, docs/scheduler-sim.md):
 * clockReadNs = nanotime; spinPauseNs = onspinwait; spinLoadPs = spinload × 1000; yieldNs = yield-empty; contextSwitchNs =
 * yield-switch / 2 (each yield switches to the partner and back), at most pingpong-same latency − its unpark cost (that round trip holds one switch; on a
 * busy host the yields also switch to other processes); unparkIdleNs / unparkBusyNs = the unpark cost of pingpong-cross / pingpong-same;
 * wakeupIdleNs = pingpong-cross latency − contextSwitchNs; wakeupBusyNs = unparkBusyNs (a local
 * wake-up is queued by the time the futex wake returns); parkNs = pingpong-same latency −
 * unparkBusyNs − contextSwitchNs; timerSlackNs = parknanos-1us − 1 µs − parkNs − wakeupIdleNs −
 * contextSwitchNs; lineTransferNs = (cas-pingpong − cas-private) / 2 (a hand-over moves the line twice: the
 * waiter's load fetches the other CPU's written line, its CAS then invalidates the copy the other CPU
 * keeps loading — the two transfers the model charges for it).
 */
public final class Calibrate {
    private static final int BATCH = 1_000;
    private static final long GAP_NS = 20_000L;
    private static final int CPU_SET_BYTES = 128;
    private static final MethodHandle SETAFFINITY = affinityHandle();
    private static final double PS_PER_NS = 1_000.0;
    private static final int WARMUP_BATCHES = 20_000;
    /** The {@code parknanos-1us} probe's requested sleep. */
    static final long TIMED_PARK_NS = 1_000L;

    /** The word the {@code spinload} probe polls; volatile, as a lock word is read by a spinner. */
    private static volatile Object polledWord = new Object();
    /** The successor field the spin loop checks each iteration; volatile, as in HotSpot. */
    private static volatile Object polledSuccessor = new Object();
    /** The last owner seen, kept so the loop is not dead code; plain (one thread). */
    private static Object lastPolled;

    private final PrintStream out;
    private final double scale;
    private final Map<String, CalibrationProfile.Probe> measured = new LinkedHashMap<>();

    private Calibrate(PrintStream out, double scale) {
        this.out = out;
        this.scale = scale;
    }

    /**
     * Runs every probe.
     *
     * @param out   progress and results
     * @param scale sample counts relative to the full run (1.0; tests use less)
     * @return the profile, host facts and load average included
     * @throws InterruptedException if interrupted while waiting for a probe's threads
     */
    public static CalibrationProfile measure(PrintStream out, double scale) throws InterruptedException {
        return new Calibrate(out, scale).run();
    }

    /**
     * {@code calibrate --out FILE [--scale 1.0]}: measures and writes the profile.
     *
     * @param args the options
     * @throws IOException          if the file cannot be written
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        Path file = null;
        double scale = 1.0;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + ": value missing");
            }
            switch (args[i]) {
                case "--out" -> file = Path.of(args[i + 1]);
                case "--scale" -> scale = Double.parseDouble(args[i + 1]);
                default -> throw new IllegalArgumentException("option " + args[i] + ": use --out FILE [--scale F]");
            }
        }
        if (file == null || !(scale > 0)) {
            throw new IllegalArgumentException("calibrate: --out FILE is required, --scale must be > 0");
        }
        CalibrationProfile p = measure(System.out, scale);
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, p.toJson());
        System.out.println("costs: " + p.costs().summary());
        ModelReplay.check(p, System.out);
        System.out.println("wrote " + file.toAbsolutePath());
    }

    private int n(int full) {
        return Math.max(20, (int) (full * scale));
    }

    private CalibrationProfile run() throws InterruptedException {
        int cpus = Runtime.getRuntime().availableProcessors();
        String loadBefore = loadavg();
        out.printf(Locale.ROOT, "calibrate: %d CPUs, load average %s, affinity %s%n", cpus, loadBefore,
                SETAFFINITY != null ? "available" : "unavailable (probes run unpinned)");
        double clock = batched("nanotime", n(400), () -> System.nanoTime());
        double pause = batched("onspinwait", n(400), Thread::onSpinWait);
        double load = spinLoad(n(400));
        double yieldEmpty = pinned(0, () -> singles("yield-empty", n(20_000), Thread::yield));
        double timedPark = pinned(0, () -> singles("parknanos-1us", n(2_000), () -> LockSupport.parkNanos(TIMED_PARK_NS)));
        double yieldSwitch = yieldSwitch(n(200));
        int other = cpus > 1 ? 1 : 0;
        double[] cross = pingPong("pingpong-cross", 0, other, n(3_000));
        double[] same = pingPong("pingpong-same", 0, 0, n(3_000));
        double transfer = cpus > 1 ? lineTransfer(n(400)) : 0;
        preemptedUnderHogs(Math.max(200, (long) (2_000 * scale)));
        long unparkBusy = Math.round(same[1]);
        // A same-CPU ping-pong holds one switch too: on a busy host the yield probe also switches to other processes.
        // Each yield of the measuring thread is two switches (to its partner and back).
        long ctx = Math.max(0, Math.min(Math.round(yieldSwitch / 2), Math.round(same[0]) - unparkBusy));
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("contextSwitchNs", ctx);
        c.put("wakeupIdleNs", Math.max(0, Math.round(cross[0]) - ctx));
        c.put("wakeupBusyNs", unparkBusy);
        c.put("unparkIdleNs", Math.round(cross[1]));
        c.put("unparkBusyNs", unparkBusy);
        c.put("parkNs", Math.max(0, Math.round(same[0]) - unparkBusy - ctx));
        c.put("yieldNs", Math.round(yieldEmpty));
        c.put("clockReadNs", Math.round(clock));
        c.put("spinPauseNs", Math.round(pause));
        c.put("spinLoadPs", Math.round(load * PS_PER_NS));
        // A timed park ends with an idle wake-up and a switch-in, as the model charges them.
        c.put("timerSlackNs", Math.max(0, Math.round(timedPark) - TIMED_PARK_NS - c.get("parkNs") - c.get("wakeupIdleNs") - ctx));
        c.put("lineTransferNs", Math.round(transfer));
        Map<String, String> host = new LinkedHashMap<>();
        host.put("cpus", Integer.toString(cpus));
        host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        host.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        host.put("date", Instant.now().toString());
        host.put("loadavgBefore", loadBefore);
        host.put("loadavgAfter", loadavg());
        host.put("pinned", Boolean.toString(SETAFFINITY != null));
        host.put("scale", Double.toString(scale));
        host.put("timerslackNs", timerSlack());
        return new CalibrationProfile(host, CostProfile.of(c), measured);
    }

    // ------------------------------------------------------------------ probes

    private double record(String name, long[] samples, double divisor) {
        long[] s = samples.clone();
        Arrays.sort(s);
        double p50 = s[s.length / 2] / divisor;
        double p90 = s[(int) (s.length * 0.9)] / divisor;
        measured.put(name, new CalibrationProfile.Probe(p50, p90, s.length));
        out.printf(Locale.ROOT, "  %-26s p50 %10.1f ns  p90 %10.1f ns  (%d samples)%n", name, p50, p90, s.length);
        return p50;
    }

    /** Per-call time of {@code op}, from batches of {@link #BATCH} calls. */
    private double batched(String name, int batches, Runnable op) {
        for (int i = 0; i < BATCH * 20; i++) {
            op.run(); // warm-up (JIT)
        }
        long[] s = new long[batches];
        for (int b = 0; b < batches; b++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < BATCH; i++) {
                op.run();
            }
            s[b] = System.nanoTime() - t0;
        }
        return record(name, s, BATCH);
    }

    /** Per iteration of {@link #polls}, from batches of {@link #BATCH} iterations in one loop (no call per iteration). */
    private double spinLoad(int batches) {
        for (int i = 0; i < WARMUP_BATCHES; i++) {
            polls(BATCH); // warm-up: compiled, the loop body inlined
        }
        long[] s = new long[batches];
        for (int b = 0; b < batches; b++) {
            long t0 = System.nanoTime();
            polls(BATCH);
            s[b] = System.nanoTime() - t0;
        }
        return record("spinload", s, BATCH);
    }

    /**
     * {@code n} iterations of HotSpot's monitor spin loop without its pauses: load the owner
     * ({@link #polledWord}), stop if free or if it changed hands, load the successor field
     * ({@link #polledSuccessor}) to claim it if empty.
     */
    private static void polls(int n) {
        Object prv = null;
        for (int ctr = n; --ctr >= 0;) {
            Object ox = polledWord;
            if (ox == null || (ox != prv && prv != null)) {
                break;
            }
            prv = ox;
            if (polledSuccessor == null) {
                polledSuccessor = ox;
            }
        }
        lastPolled = prv;
    }

    private double singles(String name, int n, Runnable op) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            op.run();
            s[i] = System.nanoTime() - t0;
        }
        return record(name, s, 1);
    }

    private interface Probe<T> {
        T run() throws InterruptedException;
    }

    /** Runs {@code p} on a fresh thread pinned to {@code cpu}. */
    private static <T> T pinned(int cpu, Probe<T> p) throws InterruptedException {
        Object[] result = new Object[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread t = new Thread(() -> {
            pin(cpu);
            try {
                result[0] = p.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        }, "calibrate-pinned");
        t.start();
        t.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        @SuppressWarnings("unchecked")
        T r = (T) result[0];
        return r;
    }

    /** Two threads on one CPU yield to each other: time per yield, in batches. */
    private double yieldSwitch(int batches) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Thread partner = new Thread(() -> {
            pin(0);
            started.countDown();
            while (!stop.get()) {
                Thread.yield();
            }
        }, "calibrate-yield-partner");
        partner.start();
        started.await();
        double r = pinned(0, () -> batched("yield-switch", batches, Thread::yield));
        stop.set(true);
        partner.join();
        return r;
    }

    /**
     * Park/unpark ping-pong between two threads pinned to {@code cpuA} and {@code cpuB}: per round
     * the waker notes t0, unparks the other, notes t1 and parks; the wakee's park returns at t2.
     *
     * @return {p50 latency t2 − t0, p50 unpark cost t1 − t0}
     */
    private double[] pingPong(String name, int cpuA, int cpuB, int rounds) throws InterruptedException {
        long[] t0 = new long[rounds];
        long[] cost = new long[rounds];
        long[] latency = new long[rounds];
        PingPong pp = new PingPong(rounds, t0, cost, latency);
        Thread a = new Thread(() -> pp.side(cpuA, 0), "calibrate-ping");
        Thread b = new Thread(() -> pp.side(cpuB, 1), "calibrate-pong");
        pp.threads[0] = a;
        pp.threads[1] = b;
        a.start();
        b.start();
        a.join();
        b.join();
        int warm = rounds / 10;
        double lat = record(name + "-latency", Arrays.copyOfRange(latency, warm, rounds), 1);
        double unpark = record(name + "-unpark", Arrays.copyOfRange(cost, warm, rounds), 1);
        return new double[] {lat, unpark};
    }

    /** Shared state of one ping-pong; round r's waker is side r % 2. */
    private static final class PingPong {
        final Thread[] threads = new Thread[2];
        final int rounds;
        final long[] t0;
        final long[] cost;
        final long[] latency;
        /** The round whose wakee may return from park; volatile: publishes t0 of that round. */
        volatile int turn = -1;
        final CountDownLatch bothPinned = new CountDownLatch(2);

        PingPong(int rounds, long[] t0, long[] cost, long[] latency) {
            this.rounds = rounds;
            this.t0 = t0;
            this.cost = cost;
            this.latency = latency;
        }

        void side(int cpu, int me) {
            pin(cpu);
            bothPinned.countDown();
            try {
                bothPinned.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == me) {
                    long gapEnd = System.nanoTime() + GAP_NS; // the other side has parked for a while
                    while (System.nanoTime() < gapEnd) {
                        Thread.onSpinWait();
                    }
                    long s = System.nanoTime();
                    t0[r] = s;
                    turn = r;
                    LockSupport.unpark(threads[1 - me]);
                    cost[r] = System.nanoTime() - s;
                } else {
                    while (turn < r) {
                        LockSupport.park(this);
                    }
                    latency[r] = System.nanoTime() - t0[r];
                }
            }
        }
    }

    /**
     * The cost of moving a written cache line to another CPU: {@code cas-pingpong} (per hand-over of
     * one word between two threads pinned to CPUs 0 and 1, in batches of {@link #BATCH} rounds)
     * minus {@code cas-private} (the same load and CAS on a private word), halved (a hand-over is
     * two transfers: the load's fetch and the CAS's invalidation of the other copy).
     */
    private double lineTransfer(int batches) throws InterruptedException {
        int warm = batches / 10 + 1;
        AtomicInteger shared = new AtomicInteger();
        int rounds = (batches + warm) * BATCH;
        Thread partner = new Thread(() -> {
            pin(1);
            for (int v = 1; v < 2 * rounds; v += 2) {
                takeTurn(shared, v);
            }
        }, "calibrate-cas-partner");
        partner.start();
        long[] perBatch = pinned(0, () -> {
            long[] s = new long[batches + warm];
            int v = 0;
            for (int b = 0; b < s.length; b++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < BATCH; i++, v += 2) {
                    takeTurn(shared, v);
                }
                s[b] = System.nanoTime() - t0;
            }
            return s;
        });
        partner.join();
        double handOver = record("cas-pingpong", Arrays.copyOfRange(perBatch, warm, perBatch.length), 2.0 * BATCH);
        AtomicInteger own = new AtomicInteger();
        double local = batched("cas-private", batches, () -> takeTurn(own, own.get()));
        return Math.max(0, (handOver - local) / 2);
    }

    /** Waits in a load loop until {@code word} is {@code v}, then CASes it to {@code v + 1}. */
    private static void takeTurn(AtomicInteger word, int v) {
        while (word.get() != v) {
            // a plain load loop: a pause would add its own latency to every hand-over
        }
        word.compareAndSet(v, v + 1);
    }

    /** 2 threads read the clock in a loop next to 4 CPU hogs; every gap over 50 µs is a preemption. */
    private void preemptedUnderHogs(long millis) throws InterruptedException {
        int workers = 2;
        int hogs = 4;
        long end = System.nanoTime() + millis * 1_000_000L;
        long[][] gaps = new long[workers][100_000];
        int[] counts = new int[workers];
        Thread[] all = new Thread[workers + hogs];
        for (int i = 0; i < workers; i++) {
            int me = i;
            all[i] = new Thread(() -> {
                long last = System.nanoTime();
                while (last < end) {
                    long now = System.nanoTime();
                    if (now - last > 50_000 && counts[me] < gaps[me].length) {
                        gaps[me][counts[me]++] = now - last;
                    }
                    last = now;
                }
            }, "calibrate-worker-" + i);
        }
        for (int h = 0; h < hogs; h++) {
            all[workers + h] = new Thread(() -> {
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }, "calibrate-hog-" + h);
        }
        for (Thread t : all) {
            t.start();
        }
        for (Thread t : all) {
            t.join();
        }
        int total = counts[0] + counts[1];
        long[] s = new long[Math.max(total, 1)];
        System.arraycopy(gaps[0], 0, s, 0, counts[0]);
        System.arraycopy(gaps[1], 0, s, counts[0], counts[1]);
        record("preempted-under-hogs", s, 1);
    }

    // ------------------------------------------------------------------ host

    /**
     * The host's load average (1, 5, 15 minutes) as {@code /proc/loadavg} gives it, recorded next to
     * every measurement; {@code unknown} where there is no such file.
     *
     * @return e.g. {@code "0.05 0.07 0.02"}
     */
    public static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The kernel's timer slack for this thread ({@code /proc/self/timerslack_ns}), or {@code unknown}. */
    private static String timerSlack() {
        try {
            return Files.readString(Path.of("/proc/self/timerslack_ns")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static MethodHandle affinityHandle() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("sched_setaffinity").map(s -> linker.downcallHandle(s,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Pins the calling thread to {@code cpu} when the OS allows (probes stay valid, only less exact, otherwise). */
    private static void pin(int cpu) {
        if (SETAFFINITY == null) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(CPU_SET_BYTES);
            mask.set(ValueLayout.JAVA_LONG, 0, 1L << cpu);
            int rc = (int) SETAFFINITY.invokeExact(0, (long) CPU_SET_BYTES, mask);
            if (rc != 0) {
                throw new IllegalStateException("sched_setaffinity(cpu " + cpu + ") failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
