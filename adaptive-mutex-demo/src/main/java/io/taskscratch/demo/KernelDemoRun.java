package io.taskscratch.demo;

import io.taskscratch.demo.locks.ComparedLock;
import io.taskscratch.demo.locks.CountingPlatform;
import io.taskscratch.demo.locks.LockFactory;
import io.taskscratch.demo.locks.LockKind;
import io.taskscratch.kernel.KernelOwnerState;
import io.taskscratch.kernel.KernelRegistration;
import io.taskscratch.kernel.SharedKernelState;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.mutex.SpinTuning;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.region.HeaderSnapshot;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs one {@link RunSpec} on the real machine ({@code --backend kernel}): {@code threads} platform
 * threads and {@code hogs} busy threads for {@code durationNs} of wall time. It uses the shared
 * backend of the opt-in kernel source ({@link KernelOwnerState#shared()}): every
 * worker registers in it up front whatever the lock, so the BPF program's cost is the same for all,
 * and {@code adaptive-kernel} is a mutex with that source. Registrations end with the
 * workers (the exit hook). Context switches and preemptions come from the workers' regions
 * (switch-outs = switches / 2). Nothing here is deterministic: numbers vary from run to run.
 */
final class KernelDemoRun {
    private KernelDemoRun() {
    }

    /**
     * Runs the spec on real threads.
     *
     * @param spec      the run (seed drives the workload's random numbers only)
     * @param kernel    the shared kernel source, available; workers register in its backend. Null: no kernel
     *                  state (classic locks and adaptive-none only; switches are then not counted)
     * @param pauseNs   measured cost of one spin pause, for spin ns per acquisition
     * @return the measurements (wall-clock time)
     * @throws InterruptedException if interrupted while waiting for the workers
     */
    static RunResult run(RunSpec spec, SharedKernelState kernel, double pauseNs) throws InterruptedException {
        LockChoice choice = spec.lock();
        CountingPlatform metered = new CountingPlatform(NativePlatform.instance());
        OwnerStateSource source = OwnerStateSource.none();
        if (choice.state() == LockChoice.State.KERNEL) {
            if (kernel == null) {
                throw new IllegalArgumentException("lock " + choice.id() + ": needs the kernel backend, which is unavailable");
            }
            source = kernel;
        } else if (choice.state() != LockChoice.State.NONE) {
            throw new IllegalArgumentException("lock " + choice.id() + ": model-only state; with --backend kernel use"
                    + " adaptive-kernel, adaptive-none or a classic lock");
        }
        // The JDK's ReentrantLock and synchronized need the native platform itself (LockFactory
        // builds their models on any other); they do not spin or park through it, so nothing is lost.
        boolean jdk = choice.kind() == LockKind.REENTRANT_LOCK || choice.kind() == LockKind.REENTRANT_LOCK_FAIR
                || choice.kind() == LockKind.SYNCHRONIZED;
        ComparedLock lock = LockFactory.create(choice.kind(), jdk ? NativePlatform.instance() : metered, source,
                SpinTuning.measured()); // real threads: the policy from the measured wake-up cost
        Recorder waits = new Recorder(3);
        long[] acquisitions = new long[spec.threads()];
        long[] starved = new long[spec.threads()];
        long[] switchOuts = new long[spec.threads()];
        long[] preempted = new long[spec.threads()];
        CountDownLatch ready = new CountDownLatch(spec.threads() + spec.hogs());
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        Thread[] all = new Thread[spec.threads() + spec.hogs()];
        for (int i = 0; i < spec.threads(); i++) {
            int me = i;
            all[i] = new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(spec.seed() * 1_000_003L + me);
                KernelRegistration reg = kernel == null ? null : kernel.registerCurrentThread();
                if (kernel != null && reg == null) {
                    throw new IllegalStateException("worker-" + me + ": not registered in the kernel backend: " + kernel.name());
                }
                try {
                    ready.countDown();
                    go.await();
                    HeaderSnapshot s0 = reg == null ? null : reg.snapshot();
                    long end = window[1];
                    long[] iteration = new long[3]; // start of the acquisition, acquisitions, starvation events
                    // runLocked, not asLock: a synchronized block has no Lock form; one Runnable per worker.
                    Runnable section = () -> {
                        long wait = System.nanoTime() - iteration[0];
                        waits.recordValue(wait);
                        iteration[1]++;
                        if (wait > DemoRun.STARVATION_NS) {
                            iteration[2]++;
                        }
                        busy(spec.cs().sample(rnd));
                    };
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= end) {
                            break;
                        }
                        iteration[0] = t0;
                        lock.runLocked(section);
                        busy(spec.think().sampleSpread(rnd));
                    }
                    acquisitions[me] = iteration[1];
                    starved[me] = iteration[2];
                    if (reg != null) {
                        HeaderSnapshot s1 = reg.snapshot();
                        switchOuts[me] = (s1.switches() - s0.switches()) / 2;
                        preempted[me] = s1.preemptions() - s0.preemptions();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "worker-" + i);
        }
        for (int h = 0; h < spec.hogs(); h++) {
            all[spec.threads() + h] = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                while (System.nanoTime() < window[1]) {
                    busy(100_000);
                }
            }, "hog-" + h);
        }
        for (Thread t : all) {
            t.start();
        }
        ready.await();
        window[0] = System.nanoTime();
        window[1] = window[0] + spec.durationNs();
        go.countDown(); // publishes window[] (happens-before through the latch)
        for (Thread t : all) {
            t.join();
        }
        long wall = System.nanoTime() - window[0];
        Histogram w = waits.getIntervalHistogram();
        long total = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        double sumSq = 0;
        long csw = 0;
        long pre = 0;
        long starve = 0;
        for (int i = 0; i < spec.threads(); i++) {
            long a = acquisitions[i];
            total += a;
            min = Math.min(min, a);
            max = Math.max(max, a);
            sumSq += (double) a * a;
            csw += switchOuts[i];
            pre += preempted[i];
            starve += starved[i];
        }
        double perAcq = Math.max(total, 1);
        return new RunResult(spec, lock.name(), total, total / (wall / 1e9), w.getValueAtPercentile(50), w.getValueAtPercentile(99),
                w.getValueAtPercentile(99.9), w.getMaxValue(), metered.spinPauses() * pauseNs / perAcq, metered.yields() / perAcq,
                csw, pre, Double.NaN, metered.parks(), Math.max(0, lock.metrics().handoffs()), max == 0 ? 0 : min / (double) max,
                sumSq == 0 ? 0 : (double) total * total / (spec.threads() * sumSq), starve, 0, 0, null);
    }

    /** Busy work for {@code ns} nanoseconds of wall time (critical section, think time, hogs). */
    static void busy(long ns) {
        if (ns <= 0) {
            return;
        }
        long until = System.nanoTime() + ns;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    /** The cost of one {@link Thread#onSpinWait()} on this CPU, in ns (for spin ns per acquisition). */
    static double measurePauseNs() {
        long n = 2_000_000;
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            Thread.onSpinWait();
        }
        return (System.nanoTime() - t0) / (double) n;
    }
}
