package io.taskscratch.bench;

import io.taskscratch.kernel.KernelOwnerState;
import io.taskscratch.kernel.SharedKernelState;
import io.taskscratch.mutex.OwnerStateSource;
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
 * What the shared kernel owner-state source ({@link KernelOwnerState#shared()}, an opt-in for
 * {@code AdaptiveMutex} on {@link NativePlatform}) costs every slow-path acquisition
 * once the thread is registered: {@code prepareRegistered} (the registered check), against
 * {@code prepareNone}, the {@code none} source's no-op. The one-off costs are
 * {@link KernelStateColdBench}. Run as root for the kernel path; elsewhere the score is that of the
 * unavailable path (the setup prints which). {@code mvn -q -Pbench package -Dbench.args="KernelStateBench"}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelStateBench {
    /** The benchmark thread's task, registered, and the sources. */
    @State(Scope.Thread)
    public static class Registered {
        final SharedKernelState auto = KernelOwnerState.shared();
        final OwnerStateSource none = OwnerStateSource.none();
        PlatformTask me;

        /** Waits for the probe and registers the benchmark thread (what its first slow path would do). */
        @Setup
        public void setup() {
            me = NativePlatform.instance().currentTask();
            System.out.println("kernel state: " + auto.availability());
            auto.prepare(me);
            System.out.println("registered: " + (auto.registration(Thread.currentThread()) != null));
        }
    }

    /** The per-slow-path cost for an already registered thread. */
    @Benchmark
    public void prepareRegistered(Registered s) {
        s.auto.prepare(s.me);
    }

    /** The baseline: the {@code none} source's default no-op. */
    @Benchmark
    public void prepareNone(Registered s) {
        s.none.prepare(s.me);
    }
}
