package io.taskscratch.demo.percpu;

import io.taskscratch.demo.Charts;
import io.taskscratch.demo.DemoVersion;
import io.taskscratch.percpu.CpuSource;
import io.taskscratch.percpu.PerCpuCounter;
import io.taskscratch.percpu.PerCpuPool;
import io.taskscratch.sched.SchedScratch;
import io.taskscratch.sched.SimConfig;
import io.taskscratch.sched.SimPlatform;
import io.taskscratch.sched.Simulation;
import io.taskscratch.sched.ThreadKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The per-CPU section of the demo: {@link PerCpuPool} and {@link PerCpuCounter} against a
 * per-thread pool, a shared lock-free queue and {@link LongAdder}, with 8, 100 and 1000 threads,
 * first in the scheduler model (regions written by the model's sched_switch hook, so the pool
 * re-homes on the model's migration notifications), then on real threads on this machine's CPUs
 * ({@code sched_getcpu}). Prints memory held and throughput, writes {@code percpu.csv} and
 * {@code percpu.svg}.
 *
 * <p>Run as {@code taskscratch-demo percpu [--out DIR] [--run-ms MS] [--repeats N]}. Needs
 * {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED} for Agrona 2's queue besides the
 * scheduler model's Chronicle flags (the launcher and the demo profile pass them all).
 */
@Command(name = "percpu", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = DemoVersion.class,
        description = {"Per-CPU pool and counter (the tcmalloc use case) against a per-thread pool, a shared lock-free queue "
                + "and LongAdder, with 8, 100 and 1000 threads: in the scheduler model, then on real threads. Details: docs/percpu.md."})
public final class PerCpuDemo implements Callable<Integer> {
    /** Threads per run. */
    static final int[] THREADS = {8, 100, 1000};
    /** Objects per CPU list, per thread cache, and per CPU in the shared queue. */
    static final int CAPACITY = 64;
    /** Objects a thread allocates before it frees them all: its cache fills up to this. */
    static final int BURST = 16;
    /** Bytes of each pooled buffer. */
    static final int OBJECT_BYTES = 256;
    static final String[] POOLS = {"percpu", "threadlocal", "shared"};
    /** Virtual CPU time per task in a model run: enough for every task to get slices. */
    static final long MODEL_NS_PER_TASK = 2_000_000L;
    /** Virtual work between bursts, and the nap after some of them (a wake-up may land on another CPU). */
    static final long MODEL_WORK_NS = 20_000L;
    static final long MODEL_NAP_NS = 200_000L;

    /** The command; picocli fills its options. */
    public PerCpuDemo() {
    }

    /** One measurement: throughput in operations per µs and objects held at the end. */
    record Sample(double opsPerUs, long held) {
    }

    /** Longest run the command accepts, ms. */
    static final long MAX_RUN_MS = 60_000;
    /** Most repeats the command accepts. */
    static final int MAX_REPEATS = 20;

    @Option(names = "--out", description = "Output directory for percpu.csv and percpu.svg (default ${DEFAULT-VALUE}).")
    Path out = Path.of("target/demo");

    @Option(names = "--run-ms", description = "Wall time of each real-thread run, 1 to " + MAX_RUN_MS + " ms (default ${DEFAULT-VALUE}).")
    long millis = 200;

    @Option(names = "--repeats", description = "Interleaved real-thread repeats, 1 to " + MAX_REPEATS + " (default ${DEFAULT-VALUE}).")
    int repeats = 3;

    @Spec
    CommandSpec spec;

    /** Runs the section with the options above; see the class comment. */
    @Override
    public Integer call() throws Exception {
        if (millis < 1 || millis > MAX_RUN_MS) {
            throw new ParameterException(spec.commandLine(), "--run-ms " + millis + ": must be 1.." + MAX_RUN_MS);
        }
        if (repeats < 1 || repeats > MAX_REPEATS) {
            throw new ParameterException(spec.commandLine(), "--repeats " + repeats + ": must be 1.." + MAX_REPEATS);
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + ": not a directory");
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder("where,structure,threads,repeat,ops_per_us,objects_held,bytes_held\n");

        System.out.printf(Locale.ROOT, "Per-CPU pool and counter: %d CPUs, lists of %d, transfer cache %d, burst %d, %d-byte buffers%n%n",
                cpus, CAPACITY, cpus * CAPACITY, BURST, OBJECT_BYTES);
        System.out.println("In the scheduler model (" + cpus + " CPUs, " + MODEL_NS_PER_TASK / 1_000_000
                + " ms virtual CPU time per task, pinned regions written by the model's sched_switch hook):");
        System.out.printf(Locale.ROOT, "%-12s %8s %14s %12s %11s %10s%n", "pool", "threads", "objects held", "bytes held",
                "migrations", "re-homes");
        for (int t : THREADS) {
            for (String pool : POOLS) {
                long[] r = modelRun(pool, t, cpus);
                System.out.printf(Locale.ROOT, "%-12s %8d %14d %12d %11d %10s%n", pool, t, r[0], r[0] * OBJECT_BYTES, r[2],
                        pool.equals("percpu") ? Long.toString(r[1]) : "-");
                csv.append(String.format(Locale.ROOT, "model,%s,%d,0,,%d,%d%n", pool, t, r[0], r[0] * OBJECT_BYTES));
            }
        }

        System.out.println();
        System.out.println("On real threads (" + cpus + " CPUs, sched_getcpu, " + millis + " ms per run, " + repeats
                + " interleaved repeats; median [min..max]):");
        System.out.printf(Locale.ROOT, "%-14s %8s %26s %14s%n", "structure", "threads", "ops/us", "objects held");
        List<String> kinds = new ArrayList<>(Arrays.asList(POOLS));
        kinds.add("percpu-counter");
        kinds.add("longadder");
        double[][] medOps = new double[kinds.size()][THREADS.length];
        double[][] medHeld = new double[kinds.size()][THREADS.length];
        for (int ti = 0; ti < THREADS.length; ti++) {
            Sample[][] samples = new Sample[kinds.size()][repeats];
            for (int rep = 0; rep < repeats; rep++) {
                for (int k = 0; k < kinds.size(); k++) {
                    samples[k][rep] = realRun(kinds.get(k), THREADS[ti], cpus, millis);
                    csv.append(String.format(Locale.ROOT, "real,%s,%d,%d,%.3f,%d,%d%n", kinds.get(k), THREADS[ti], rep,
                            samples[k][rep].opsPerUs(), samples[k][rep].held(), samples[k][rep].held() * OBJECT_BYTES));
                }
            }
            for (int k = 0; k < kinds.size(); k++) {
                double[] ops = Arrays.stream(samples[k]).mapToDouble(Sample::opsPerUs).sorted().toArray();
                long[] held = Arrays.stream(samples[k]).mapToLong(Sample::held).sorted().toArray();
                medOps[k][ti] = ops[ops.length / 2];
                medHeld[k][ti] = held[held.length / 2];
                System.out.printf(Locale.ROOT, "%-14s %8d %10.2f [%6.2f..%6.2f] %14s%n", kinds.get(k), THREADS[ti],
                        medOps[k][ti], ops[0], ops[ops.length - 1], k < POOLS.length ? Long.toString(held[held.length / 2]) : "-");
            }
        }
        Files.writeString(out.resolve("percpu.csv"), csv);
        Files.writeString(out.resolve("percpu.svg"), chart(kinds, medOps, medHeld));
        System.out.println();
        System.out.println("Per-CPU pool bound: " + cpus + " x " + CAPACITY + " + " + cpus * CAPACITY + " = "
                + 2L * cpus * CAPACITY + " objects; a per-thread pool holds up to threads x " + CAPACITY + ".");
        System.out.println("Wrote " + out.resolve("percpu.csv") + " and " + out.resolve("percpu.svg"));
        return 0;
    }

    private static String chart(List<String> kinds, double[][] ops, double[][] held) {
        List<String> xs = Arrays.stream(THREADS).mapToObj(Integer::toString).toList();
        List<Charts.Series> mem = new ArrayList<>();
        List<Charts.Series> poolOps = new ArrayList<>();
        List<Charts.Series> counterOps = new ArrayList<>();
        for (int k = 0; k < kinds.size(); k++) {
            if (k < POOLS.length) {
                double[] kib = Arrays.stream(held[k]).map(h -> h * OBJECT_BYTES / 1024.0).toArray();
                mem.add(new Charts.Series(kinds.get(k), kib));
                poolOps.add(new Charts.Series(kinds.get(k), ops[k]));
            } else {
                counterOps.add(new Charts.Series(kinds.get(k), ops[k]));
            }
        }
        return Charts.render(List.of(
                new Charts.Panel("Pool: memory held (real threads)", "threads", "KiB held", xs, mem),
                new Charts.Panel("Pool: allocate+free throughput", "threads", "ops/us", xs, poolOps),
                new Charts.Panel("Counter: increment throughput", "threads", "ops/us", xs, counterOps)));
    }

    static ComparedPool<byte[]> newPool(String kind, CpuSource source, int cpus) {
        Supplier<byte[]> buffers = () -> new byte[OBJECT_BYTES];
        return switch (kind) {
            case "percpu" -> ComparedPool.of(PerCpuPool.<byte[]>builder(source, buffers).cpus(cpus)
                    .capacityPerCpu(CAPACITY).build(), kind);
            case "threadlocal" -> new ThreadLocalPool<>(buffers, CAPACITY);
            case "shared" -> new SharedQueuePool<>(buffers, cpus * CAPACITY);
            default -> throw new IllegalArgumentException("pool " + kind);
        };
    }

    /** One burst: allocate {@link #BURST} objects, touch them, free them all. */
    private static void burst(ComparedPool<byte[]> pool, byte[][] hold) {
        for (int i = 0; i < hold.length; i++) {
            hold[i] = pool.allocate();
            hold[i][0]++;
        }
        for (int i = 0; i < hold.length; i++) {
            pool.free(hold[i]);
            hold[i] = null;
        }
    }

    /** {objects held at the end, re-homes, the model's migrations of all tasks} of one model run. */
    static long[] modelRun(String kind, int threads, int cpus) {
        Simulation sim = new Simulation(SimConfig.builder().cpus(cpus).threads(ThreadKind.VIRTUAL).seed(42).build());
        SchedScratch scratch = SchedScratch.attach(sim, SchedScratch.Options.pinned(42));
        SimPlatform platform = sim.platform();
        CpuSource model = CpuSource.regions("model", () -> SchedScratch.regionOf(platform.currentTask()));
        PerCpuPool<byte[]> perCpu = kind.equals("percpu")
                ? PerCpuPool.<byte[]>builder(model, () -> new byte[OBJECT_BYTES]).cpus(cpus).capacityPerCpu(CAPACITY).build()
                : null;
        ComparedPool<byte[]> pool = perCpu != null ? ComparedPool.of(perCpu, kind) : newPool(kind, model, cpus);
        for (int i = 0; i < threads; i++) {
            sim.spawn("w" + i, scratch.registered(p -> {
                byte[][] hold = new byte[BURST][];
                while (true) {
                    burst(pool, hold);
                    p.work(MODEL_WORK_NS);
                    if (p.random().nextBoolean()) {
                        p.parkNanos(MODEL_NAP_NS);
                    }
                }
            }));
        }
        sim.run(Math.max(20_000_000L, threads * MODEL_NS_PER_TASK / cpus));
        long held = pool.held();
        long migrations = sim.tasks().stream().mapToLong(t -> t.migrations()).sum();
        scratch.close();
        return new long[] {held, perCpu != null ? perCpu.rehomes() : 0, migrations};
    }

    private static Sample realRun(String kind, int threads, int cpus, long millis) throws InterruptedException {
        ComparedPool<byte[]> pool = kind.endsWith("counter") || kind.equals("longadder") ? null
                : newPool(kind, CpuSource.schedGetcpu(), cpus);
        PerCpuCounter counter = PerCpuCounter.create(CpuSource.schedGetcpu(), cpus);
        LongAdder adder = new LongAdder();
        LongAdder ops = new LongAdder();
        long[] window = new long[2]; // start, end
        // The window opens when the last thread arrives (the barrier action happens-before the release).
        CyclicBarrier start = new CyclicBarrier(threads + 1, () -> {
            window[0] = System.nanoTime();
            window[1] = window[0] + millis * 1_000_000L;
        });
        LongAccumulator lastFinish = new LongAccumulator(Math::max, Long.MIN_VALUE);
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = Thread.ofPlatform().daemon().name("percpu-" + i).start(() -> {
                byte[][] hold = new byte[BURST][];
                awaitQuietly(start);
                long n = 0;
                long end = window[1];
                do { // at least one round: every thread has used the pool once
                    for (int k = 0; k < 64; k++) {
                        switch (kind) {
                            case "percpu-counter" -> counter.increment();
                            case "longadder" -> adder.increment();
                            default -> burst(pool, hold);
                        }
                    }
                    n += kind.endsWith("counter") || kind.equals("longadder") ? 64 : 64 * BURST;
                } while (System.nanoTime() < end);
                ops.add(n);
                lastFinish.accumulate(System.nanoTime());
            });
        }
        awaitQuietly(start);
        for (Thread t : ts) {
            t.join();
        }
        // From the window's start to the last thread's finish, whenever this thread got to run.
        double us = (lastFinish.get() - window[0]) / 1_000.0;
        return new Sample(ops.sum() / us, pool != null ? pool.held() : 0);
    }

    private static void awaitQuietly(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
