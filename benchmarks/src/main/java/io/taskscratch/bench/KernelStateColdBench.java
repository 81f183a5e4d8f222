package io.taskscratch.bench;

import io.taskscratch.kernel.KernelBackend;
import io.taskscratch.kernel.KernelOwnerState;
import io.taskscratch.kernel.SharedKernelState;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.PlatformTask;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The one-off costs of the shared kernel owner-state source ({@link KernelOwnerState#shared()},
 * an opt-in for {@code AdaptiveMutex} on {@link NativePlatform}). Each benchmark runs once in a
 * fresh JVM per fork, cold code and class loading included, as in real life:
 * <ul>
 *   <li>{@code firstContendedAcquire}: the first {@code prepare} of the process, what the first
 *       contended acquisition pays: it starts the probe thread and returns.</li>
 *   <li>{@code probeInBackground}: from that first {@code prepare} until the outcome is known
 *       ({@code availability()} waits): {@code KernelBackend.open()} (load the BPF
 *       object, attach), one warm-up register + unregister. No lock waits for it.</li>
 *   <li>{@code firstRegistration}: after the probe, a thread's first slow path: its registration.</li>
 *   <li>{@code availabilityProbe}: {@code KernelBackend.availability()} cold (load + attach + detach +
 *       close), which the shared source skips when the kernel works.</li>
 * </ul>
 * The per-slow-path cost is {@link KernelStateBench}. Run as root for the kernel path; elsewhere the
 * scores are those of the unavailable path (the setups print which).
 * {@code mvn -q -Pbench package -Dbench.args="KernelStateColdBench"}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(10)
@Warmup(iterations = 0)
@Measurement(iterations = 1, batchSize = 1)
public class KernelStateColdBench {
    /** A fresh process where a native mutex was built and used uncontended: nothing probed yet. */
    @State(Scope.Thread)
    public static class Unprobed {
        SharedKernelState auto;
        PlatformTask me;

        /** What building a mutex and an uncontended lock load: the source's class and the thread's task. */
        @Setup
        public void setup() {
            auto = KernelOwnerState.shared();
            me = NativePlatform.instance().currentTask();
            System.out.println("before the first contended acquisition: " + auto.name());
        }
    }

    /** A thread whose probe has finished but which is not registered yet. */
    @State(Scope.Thread)
    public static class Probed {
        final SharedKernelState auto = KernelOwnerState.shared();
        PlatformTask me;

        /** Runs the probe and waits for it. */
        @Setup
        public void setup() {
            me = NativePlatform.instance().currentTask();
            System.out.println("kernel state: " + auto.availability());
        }
    }

    /** The first contended acquisition's own cost: starting the probe. */
    @Benchmark
    public void firstContendedAcquire(Unprobed s) {
        s.auto.prepare(s.me);
    }

    /** The background probe, from the first contended acquisition until the outcome is known. */
    @Benchmark
    public Object probeInBackground(Unprobed s) {
        s.auto.prepare(s.me);
        return s.auto.availability();
    }

    /** A thread's first slow path after the probe: it registers. */
    @Benchmark
    public Object firstRegistration(Probed s) {
        s.auto.prepare(s.me);
        return s.auto.registration(Thread.currentThread());
    }

    /** {@code KernelBackend.availability()} cold, in a fresh JVM. */
    @Benchmark
    public Object availabilityProbe() {
        return KernelBackend.availability();
    }
}
