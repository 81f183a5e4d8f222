package io.taskscratch.mutex;

import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;

import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link Platform} that is not {@link NativePlatform} (so the factory builds the Platform
 * models) but runs on real threads through it, counting the calls the locks make.
 */
final class DelegatingPlatform implements Platform {
    private final NativePlatform real = NativePlatform.instance();
    final LongAdder parks = new LongAdder();
    final LongAdder spinPauses = new LongAdder();
    final LongAdder yields = new LongAdder();

    @Override
    public PlatformTask currentTask() {
        return real.currentTask();
    }

    @Override
    public void park(Object blocker) {
        parks.increment();
        real.park(blocker);
    }

    @Override
    public void parkNanos(Object blocker, long nanos) {
        parks.increment();
        real.parkNanos(blocker, nanos);
    }

    @Override
    public void unpark(PlatformTask task) {
        real.unpark(task);
    }

    @Override
    public void spinPause() {
        spinPauses.increment();
        real.spinPause();
    }

    @Override
    public void yieldCpu() {
        yields.increment();
        real.yieldCpu();
    }

    @Override
    public long nanoTime() {
        return real.nanoTime();
    }

    @Override
    public boolean interrupted() {
        return real.interrupted();
    }

    @Override
    public boolean isInterrupted() {
        return real.isInterrupted();
    }
}
