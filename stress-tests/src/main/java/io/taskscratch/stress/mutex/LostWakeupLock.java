package io.taskscratch.stress.mutex;

import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.stress.rcu.Delay;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A deliberately broken lock (negative control for {@link LostWakeupTest}): a waiter that finds
 * the lock held registers itself and parks <em>without re-checking the state after
 * registering</em>, so an unlock between its check and its registration wakes nobody: the
 * classic lost wake-up. Only {@code lock}, {@code tryLock(time, unit)} and {@code unlock} work.
 */
final class LostWakeupLock implements Lock {
    private final Platform platform = NativePlatform.instance();
    private final AtomicInteger state = new AtomicInteger();
    private volatile PlatformTask waiter;

    @Override
    public boolean tryLock(long time, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(time);
        while (!state.compareAndSet(0, 1)) { // finds the lock held ...
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Delay.spin(); // (the window between the check and the registration)
            waiter = platform.currentTask(); // ... registers ...
            platform.parkNanos(this, left); // ... and parks without re-checking the state: the bug
            waiter = null;
        }
        return true;
    }

    @Override
    public void lock() {
        while (!tryLock(WakeupRace.TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
            Thread.onSpinWait(); // bounded parks: a lost wake-up delays lock() but never hangs the fork
        }
    }

    @Override
    public void unlock() {
        state.set(0);
        PlatformTask w = waiter;
        if (w != null) {
            platform.unpark(w);
        }
    }

    @Override
    public void lockInterruptibly() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean tryLock() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException();
    }
}
