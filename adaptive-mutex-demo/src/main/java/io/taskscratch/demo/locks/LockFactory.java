package io.taskscratch.demo.locks;

import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.mutex.HeldLocks;
import io.taskscratch.mutex.LockMetrics;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.mutex.RegionOwnerStateSource;
import io.taskscratch.mutex.SpinTuning;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.Platform;

import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Builds every lock of the comparison on a {@link Platform}. On {@link NativePlatform}
 * {@link LockKind#REENTRANT_LOCK}, {@link LockKind#REENTRANT_LOCK_FAIR} and
 * {@link LockKind#SYNCHRONIZED} are the JDK's own; on any other platform (the scheduler model)
 * they are the Platform-based models documented on {@link LockKind}, named with a
 * {@code -model} suffix.
 */
public final class LockFactory {
    private LockFactory() {
    }

    /**
     * Creates a lock.
     *
     * @param kind     which lock
     * @param platform where it spins and parks
     * @param source   scheduler-state source for the adaptive kinds (ignored by the others); with
     *                 a {@link RegionOwnerStateSource}, {@link LockKind#ADAPTIVE_RESILIENT} keeps
     *                 its held-locks tables in the tasks' regions ({@link HeldLocks.Provider#defaultFor})
     * @return a new, free lock
     */
    public static ComparedLock create(LockKind kind, Platform platform, OwnerStateSource source) {
        return create(kind, platform, source, null);
    }

    /**
     * Creates a lock; the adaptive kinds get {@code tuning} instead of the platform's default (a
     * metering platform that wraps the native one is not {@code NativePlatform}, so its default
     * would be the model's {@link SpinTuning#DEFAULT}).
     *
     * @param kind     which lock
     * @param platform where it spins and parks
     * @param source   scheduler-state source for the adaptive kinds (ignored by the others)
     * @param tuning   spin tuning for the adaptive kinds, or null for the platform's default
     * @return a new, free lock
     */
    public static ComparedLock create(LockKind kind, Platform platform, OwnerStateSource source, SpinTuning tuning) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(source, "source");
        boolean real = platform instanceof NativePlatform;
        return switch (kind) {
            case ADAPTIVE -> adaptive(kind, "adaptive[" + source.name() + "]",
                    builder(platform, source, tuning).build());
            case ADAPTIVE_RESILIENT -> adaptive(kind, "adaptive-resilient[" + source.name() + "]",
                    builder(platform, source, tuning).resilient().build());
            case REENTRANT_LOCK -> real
                    ? jdk(kind, "ReentrantLock", new ReentrantLock())
                    : baseline(kind, new QueueParkingLock(platform, "ReentrantLock-model", QueueParkingLock.SpinPhase.NONE, 0, false));
            case REENTRANT_LOCK_FAIR -> real
                    ? jdk(kind, "ReentrantLock(fair)", new ReentrantLock(true))
                    : baseline(kind, new QueueParkingLock(platform, "ReentrantLock(fair)-model", QueueParkingLock.SpinPhase.NONE, 0, true));
            case SYNCHRONIZED -> real
                    ? new Monitor()
                    : baseline(kind, new HotSpotMonitor(platform, "synchronized-model"));
            case TTAS_SPIN -> baseline(kind, new TtasLock(platform));
            case SPIN_100_THEN_PARK -> baseline(kind, new QueueParkingLock(platform, "spin100-park", QueueParkingLock.SpinPhase.PAUSES, 100, false));
            case BACKOFF_SPIN_YIELD_PARK -> baseline(kind, new BackoffLock(platform));
            case YIELD_40_THEN_PARK -> baseline(kind, new QueueParkingLock(platform, "yield40-park", QueueParkingLock.SpinPhase.YIELDS, 40, false));
        };
    }

    private static AdaptiveMutex.Builder builder(Platform platform, OwnerStateSource source, SpinTuning tuning) {
        AdaptiveMutex.Builder b = AdaptiveMutex.builder(platform).stateSource(source);
        return tuning == null ? b : b.tuning(tuning);
    }

    private static ComparedLock adaptive(LockKind kind, String name, AdaptiveMutex m) {
        return new LockBacked(kind, name, m, m::metrics);
    }

    private static ComparedLock baseline(LockKind kind, BaselineLock l) {
        return new LockBacked(kind, l.metrics().lock(), l, l::metrics);
    }

    private static ComparedLock jdk(LockKind kind, String name, Lock l) {
        return new LockBacked(kind, name, l, () -> LockMetrics.unavailable(name));
    }

    /** A {@link ComparedLock} over a {@link Lock}. */
    private record LockBacked(LockKind kind, String name, Lock asLock, Supplier<LockMetrics> metricsSupplier)
            implements ComparedLock {
        @Override
        public void runLocked(Runnable criticalSection) {
            asLock.lock();
            try {
                criticalSection.run();
            } finally {
                asLock.unlock();
            }
        }

        @Override
        public LockMetrics metrics() {
            return metricsSupplier.get();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A {@code synchronized} block on a private monitor. */
    private static final class Monitor implements ComparedLock {
        private final Object monitor = new Object();

        @Override
        public LockKind kind() {
            return LockKind.SYNCHRONIZED;
        }

        @Override
        public String name() {
            return "synchronized";
        }

        @Override
        public void runLocked(Runnable criticalSection) {
            synchronized (monitor) {
                criticalSection.run();
            }
        }

        @Override
        public Lock asLock() {
            throw new UnsupportedOperationException("synchronized has no Lock form: a monitor is entered and exited in one block");
        }

        @Override
        public LockMetrics metrics() {
            return LockMetrics.unavailable(name());
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
