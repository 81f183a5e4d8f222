package io.taskscratch.kernel;

import io.taskscratch.internal.os.Libc;
import io.taskscratch.region.HeaderField;
import io.taskscratch.region.HeaderSnapshot;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.ScratchRegion;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Measurements of the real backend, run as a program (needs root):
 * <ul>
 *   <li>{@code switchcost [rounds] [reps]}: pipe ping-pong between two threads, per context switch,
 *       interleaving three modes per repetition: program detached, attached with the threads not
 *       registered, attached and registered. Run under {@code taskset -c 0} for same-CPU switches.</li>
 *   <li>{@code freshness [samples]}: a thread parks and is unparked by an observer on another CPU;
 *       how long after the kernel's write ({@code last_switch_ns}) the observer sees {@code on_cpu}
 *       flip, and how long after {@code unpark} the region says on-CPU.</li>
 *   <li>{@code disagreement [threads] [seconds]}: threads (e.g. 8 on 2 CPUs) alternate spinning and
 *       short sleeps; each checks its own region while running ({@code on_cpu} must be 1) and, at the
 *       end, compares the region's {@code switches} with the kernel's own count (2 × voluntary +
 *       involuntary switches of {@code /proc/self/task/<tid>/status}).</li>
 *   <li>{@code hold [seconds]}: keeps the program attached (prints {@code attached}), for measuring
 *       other programs, e.g. {@code perf bench sched pipe}, with and without it.</li>
 * </ul>
 */
public final class KernelMeasure {
    private KernelMeasure() {
    }

    /**
     * Runs one measurement.
     *
     * @param args {@code switchcost|freshness|disagreement|hold} and its numbers
     * @throws Exception if a thread is interrupted or a pipe fails
     */
    public static void main(String[] args) throws Exception {
        KernelAvailability a = KernelBackend.availability();
        if (!a.available()) {
            System.out.println("kernel backend unavailable: " + a.reason());
            System.exit(2);
        }
        String what = args.length > 0 ? args[0] : "all";
        switch (what) {
            case "switchcost" -> switchCost(intArg(args, 1, 200_000), intArg(args, 2, 5));
            case "freshness" -> freshness(intArg(args, 1, 20_000));
            case "disagreement" -> disagreement(intArg(args, 1, 8), intArg(args, 2, 10));
            case "hold" -> {
                try (KernelBackend b = KernelBackend.open()) {
                    System.out.println("attached");
                    Thread.sleep(intArg(args, 1, 10) * 1000L);
                }
            }
            default -> {
                switchCost(100_000, 3);
                freshness(10_000);
                disagreement(8, 5);
            }
        }
    }

    private static int intArg(String[] args, int i, int dflt) {
        return args.length > i ? Integer.parseInt(args[i]) : dflt;
    }

    // ---- context-switch cost ------------------------------------------------------------

    private enum Mode { DETACHED, ATTACHED, REGISTERED }

    private static void switchCost(int rounds, int reps) throws Exception {
        System.out.printf(Locale.ROOT, "switchcost: pipe ping-pong, %d round trips (4 switches each) per run, %d interleaved reps, CPUs allowed: %s%n",
                rounds, reps, allowedCpus());
        double[][] ns = new double[Mode.values().length][reps];
        pingPong(rounds / 10, null, false); // warm-up
        for (int r = 0; r < reps; r++) {
            for (Mode m : Mode.values()) {
                double perSwitch;
                if (m == Mode.DETACHED) {
                    perSwitch = pingPong(rounds, null, false);
                } else {
                    try (KernelBackend b = KernelBackend.open()) {
                        perSwitch = pingPong(rounds, b, m == Mode.REGISTERED);
                    }
                }
                ns[m.ordinal()][r] = perSwitch;
            }
        }
        for (Mode m : Mode.values()) {
            double[] v = ns[m.ordinal()].clone();
            Arrays.sort(v);
            System.out.printf(Locale.ROOT, "  %-10s ns per switch: median %.0f  min %.0f  max %.0f  runs %s%n", m, v[v.length / 2], v[0],
                    v[v.length - 1], Arrays.toString(Arrays.stream(ns[m.ordinal()]).mapToLong(Math::round).toArray()));
        }
        double[] d = ns[Mode.DETACHED.ordinal()].clone();
        double[] g = ns[Mode.REGISTERED.ordinal()].clone();
        double[] at = ns[Mode.ATTACHED.ordinal()].clone();
        Arrays.sort(d);
        Arrays.sort(g);
        Arrays.sort(at);
        System.out.printf(Locale.ROOT, "  program cost per switch (median differences): attached %+.0f ns, registered %+.0f ns%n",
                at[at.length / 2] - d[d.length / 2], g[g.length / 2] - d[d.length / 2]);
    }

    /** Nanoseconds per context switch of a ping-pong over two pipes (a round trip is 4 switches on one CPU). */
    private static double pingPong(int rounds, KernelBackend backend, boolean register) throws Exception {
        Pipe ab = Pipe.open();
        Pipe ba = Pipe.open();
        CountDownLatch ready = new CountDownLatch(2);
        Thread ponger = new Thread(() -> {
            try (KernelRegistration r = register ? backend.register() : null) {
                ready.countDown();
                ByteBuffer buf = ByteBuffer.allocate(1);
                for (int i = 0; i < rounds; i++) {
                    buf.clear();
                    ab.source().read(buf);
                    buf.flip();
                    ba.sink().write(buf);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "pong");
        ponger.start();
        long elapsed;
        try (KernelRegistration r = register ? backend.register() : null) {
            ready.countDown();
            ready.await();
            ByteBuffer buf = ByteBuffer.allocate(1);
            long t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                buf.clear();
                buf.put((byte) 1).flip();
                ab.sink().write(buf);
                buf.clear();
                ba.source().read(buf);
            }
            elapsed = System.nanoTime() - t0;
        }
        ponger.join();
        ab.sink().close();
        ab.source().close();
        ba.sink().close();
        ba.source().close();
        return elapsed / (rounds * 4.0);
    }

    private static String allowedCpus() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring(18).trim();
            }
        }
        return "?";
    }

    // ---- freshness ----------------------------------------------------------------------

    private static void freshness(int samples) throws Exception {
        long[] offSeen = new long[samples];
        long[] parkToWrite = new long[samples];
        long[] unparkToOn = new long[samples];
        long[] onSeen = new long[samples];
        int[] timeouts = new int[2];
        AtomicLong parkAt = new AtomicLong();
        AtomicLong ack = new AtomicLong(); // observer's count of cycles done; the sleeper stays on CPU until it moves
        AtomicLong awake = new AtomicLong(); // cycles the sleeper has returned from park in
        int[] awakeAtTimeout = new int[1];
        AtomicBoolean stop = new AtomicBoolean();
        try (KernelBackend b = KernelBackend.open()) {
            CountDownLatch registered = new CountDownLatch(1);
            KernelRegistration[] reg = new KernelRegistration[1];
            Thread sleeper = new Thread(() -> {
                pinTo(1);
                reg[0] = b.register();
                registered.countDown();
                for (long cycle = 0; !stop.get(); cycle++) {
                    parkAt.set(System.nanoTime());
                    LockSupport.park();
                    awake.set(cycle + 1);
                    while (ack.get() == cycle && !stop.get()) {
                        Thread.onSpinWait(); // stay on CPU until the observer has seen on_cpu = 1
                    }
                }
            }, "sleeper");
            sleeper.start();
            registered.await();
            pinTo(0); // observer on CPU 0, sleeper on CPU 1: the wakeup never waits for the observer's CPU
            ScratchRegion r = reg[0].region();
            for (int i = 0; i < samples; i++) {
                while (sleeper.getState() != Thread.State.WAITING) {
                    Thread.onSpinWait(); // it is about to park (or parked): its switch-out comes next
                }
                long deadline = System.nanoTime() + 100_000_000L;
                while (r.onCpu() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                long seen = System.nanoTime();
                if (seen >= deadline) {
                    timeouts[0]++; // a missed switch-out: on_cpu stayed 1
                }
                long written = r.get(HeaderField.LAST_SWITCH_NS, MemoryOrder.OPAQUE);
                offSeen[i] = seen - written;
                parkToWrite[i] = written - parkAt.get();
                long t0 = System.nanoTime();
                LockSupport.unpark(sleeper);
                deadline = t0 + 100_000_000L;
                while (!r.onCpu() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                long on = System.nanoTime();
                if (on >= deadline) {
                    timeouts[1]++; // on_cpu stayed 0: the sleeper never got a CPU, or its switch-in was missed
                    if (awake.get() == i + 1) {
                        awakeAtTimeout[0]++; // it runs (or ran and was preempted again): a miss is possible
                    }
                }
                unparkToOn[i] = on - t0;
                onSeen[i] = on - r.get(HeaderField.LAST_SWITCH_NS, MemoryOrder.OPAQUE);
                ack.incrementAndGet();
            }
            stop.set(true);
            LockSupport.unpark(sleeper);
            sleeper.join();
            reg[0].close();
            pinTo(-1);
        }
        System.out.printf(Locale.ROOT, "freshness: %d park/unpark cycles, sleeper on CPU 1, observer on CPU 0 (allowed CPUs %s);"
                + " timeouts (100 ms): switch-out %d, switch-in %d (of which the sleeper had returned from park: %d)%n", samples,
                allowedCpus(), timeouts[0], timeouts[1], awakeAtTimeout[0]);
        print("  kernel write (last_switch_ns) -> observer sees on_cpu=0", offSeen);
        print("  park() called -> switch-out written by the kernel    ", parkToWrite);
        print("  kernel write (last_switch_ns) -> observer sees on_cpu=1", onSeen);
        print("  unpark() -> observer sees on_cpu=1 (wakeup latency)  ", unparkToOn);
    }

    private static final MethodHandle SETAFFINITY = Libc.downcall("sched_setaffinity",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    /** Pins the calling thread to {@code cpu} (-1: every CPU of the first 64). */
    private static void pinTo(int cpu) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(128);
            mask.set(ValueLayout.JAVA_LONG, 0, cpu < 0 ? -1L : 1L << cpu);
            int rc = (int) SETAFFINITY.invokeExact(0, 128L, mask);
            if (rc != 0) {
                throw new IllegalStateException("sched_setaffinity(cpu " + cpu + ") failed");
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static void print(String what, long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%s ns: p50 %d  p90 %d  p99 %d  max %d%n", what, s[s.length / 2], s[(int) (s.length * 0.9)],
                s[(int) (s.length * 0.99)], s[s.length - 1]);
    }

    // ---- disagreement -------------------------------------------------------------------

    private static void disagreement(int threads, int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        long[] selfReads = new long[threads];
        long[] selfOff = new long[threads];
        long[] episodes = new long[threads];
        long[] regionSwitches = new long[threads];
        long[] kernelSwitches = new long[threads];
        long[] preemptRegion = new long[threads];
        long[] preemptKernel = new long[threads];
        List<Thread> ts = new ArrayList<>();
        try (KernelBackend b = KernelBackend.open()) {
            CountDownLatch done = new CountDownLatch(threads);
            for (int i = 0; i < threads; i++) {
                int me = i;
                Thread t = new Thread(() -> {
                    try (KernelRegistration reg = b.register()) {
                        int tid = reg.task().osTid();
                        HeaderSnapshot s0 = reg.snapshot();
                        long[] k0 = ctxSwitches(tid);
                        ScratchRegion r = reg.region();
                        long spin = 0;
                        int round = 0;
                        boolean off = false;
                        while (!stop.get()) {
                            long until = System.nanoTime() + 20_000 + (round % 7) * 30_000L;
                            while (System.nanoTime() < until) {
                                selfReads[me]++;
                                boolean nowOff = !r.onCpu();
                                if (nowOff) {
                                    selfOff[me]++; // we are running, the region says we are not
                                    if (!off) {
                                        episodes[me]++; // until our next switch: a missed switch-in
                                    }
                                }
                                off = nowOff;
                                spin++;
                            }
                            if (round++ % 3 == 0) {
                                LockSupport.parkNanos(50_000);
                            } else {
                                Thread.yield();
                            }
                        }
                        HeaderSnapshot s1 = reg.snapshot();
                        long[] k1 = ctxSwitches(tid);
                        regionSwitches[me] = s1.switches() - s0.switches();
                        kernelSwitches[me] = 2 * ((k1[0] - k0[0]) + (k1[1] - k0[1]));
                        preemptRegion[me] = s1.preemptions() - s0.preemptions();
                        preemptKernel[me] = k1[1] - k0[1];
                        if (spin < 0) {
                            throw new AssertionError();
                        }
                    } finally {
                        done.countDown();
                    }
                }, "mixed-" + i);
                ts.add(t);
                t.start();
            }
            Thread.sleep(seconds * 1000L);
            stop.set(true);
            done.await();
            for (Thread t : ts) {
                t.join();
            }
        }
        long reads = Arrays.stream(selfReads).sum();
        long off = Arrays.stream(selfOff).sum();
        long rs = Arrays.stream(regionSwitches).sum();
        long ks = Arrays.stream(kernelSwitches).sum();
        System.out.printf(Locale.ROOT, "disagreement: %d threads on %d CPUs for %d s (spin 20-200 us, then park 50 us or yield)%n",
                threads, Runtime.getRuntime().availableProcessors(), seconds);
        long eps = Arrays.stream(episodes).sum();
        System.out.printf(Locale.ROOT, "  self-reads while running: %,d, of which on_cpu=0: %,d (%.4f %%) in %,d episodes"
                + " (%.4f %% of the region's switch-ins)%n", reads, off, 100.0 * off / Math.max(1, reads), eps,
                100.0 * eps / Math.max(1, Arrays.stream(regionSwitches).sum() / 2));
        System.out.printf(Locale.ROOT, "  switches: region %,d vs kernel 2x(nvcsw+nivcsw) %,d: missed %,d (%.4f %%)%n", rs, ks, ks - rs,
                100.0 * (ks - rs) / Math.max(1, ks));
        System.out.printf(Locale.ROOT, "  preemptions: region %,d vs kernel nivcsw %,d%n", Arrays.stream(preemptRegion).sum(),
                Arrays.stream(preemptKernel).sum());
    }

    /** {voluntary, nonvoluntary} context switches of a thread of this process. */
    static long[] ctxSwitches(int tid) {
        long[] v = new long[2];
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
                if (line.startsWith("voluntary_ctxt_switches:")) {
                    v[0] = Long.parseLong(line.substring(24).trim());
                } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                    v[1] = Long.parseLong(line.substring(27).trim());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("/proc/self/task/" + tid + "/status: " + e.getMessage(), e);
        }
        return v;
    }
}
