package io.taskscratch.stress.mutex;

import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.stress.rcu.Delay;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A deliberately broken single-waiter condition (negative control for {@link LostSignalTest}):
 * {@code await} releases the lock <em>before</em> registering the waiter, so a signal sent in
 * between finds nobody and is lost. Only {@code await(time, unit)} and {@code signal} work.
 */
final class EarlyReleaseCondition implements Condition {
    private final Platform platform = NativePlatform.instance();
    private final Lock lock;
    private volatile PlatformTask waiter;
    private volatile boolean signalled;

    EarlyReleaseCondition(Lock lock) {
        this.lock = lock;
    }

    @Override
    public boolean await(long time, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(time);
        lock.unlock(); // releases first ...
        Delay.spin(); // (the window a signaller gets in through)
        waiter = platform.currentTask(); // ... then registers: the bug
        for (long left; !signalled && (left = deadline - System.nanoTime()) > 0; ) {
            platform.parkNanos(this, left);
        }
        waiter = null;
        lock.lock();
        return signalled;
    }

    @Override
    public void signal() {
        PlatformTask w = waiter;
        if (w != null) {
            signalled = true;
            platform.unpark(w);
        }
    }

    @Override
    public void await() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void awaitUninterruptibly() {
        throw new UnsupportedOperationException();
    }

    @Override
    public long awaitNanos(long nanosTimeout) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean awaitUntil(Date deadline) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void signalAll() {
        throw new UnsupportedOperationException();
    }
}
