package io.taskscratch.demo.locks;

import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Spin, then yield, then timed-park polling lock driven by Agrona's backoff idle strategy
 * (10 spins, 5 yields, parks doubling from 1 µs to 1 ms). Waiters are never woken: they poll,
 * so release is one store, and a waiter can sleep up to 1 ms past a release. On the native
 * platform it uses Agrona's {@link BackoffIdleStrategy} itself; on any other platform
 * {@link PlatformBackoffIdleStrategy}, the same state machine through the platform.
 */
public final class BackoffLock extends BaselineLock {
    /**
     * Idle calls before the strategy's first park: one to leave NOT_IDLE, the spins, the yields,
     * one to enter PARKING. Counters are derived from the number of idle calls.
     */
    private static final long IDLES_BEFORE_PARKING =
            1 + BackoffIdleStrategy.DEFAULT_MAX_SPINS + BackoffIdleStrategy.DEFAULT_MAX_YIELDS + 1;

    private final boolean nativeAgrona;

    /** @param platform where to spin, yield and park */
    public BackoffLock(Platform platform) {
        super(platform, platform instanceof NativePlatform ? "agrona-backoff" : "agrona-backoff(platform)");
        this.nativeAgrona = platform instanceof NativePlatform;
    }

    @Override
    public void lock() {
        PlatformTask me = platform.currentTask();
        if (casAcquire(me)) {
            return;
        }
        IdleStrategy idle = nativeAgrona ? new BackoffIdleStrategy() : new PlatformBackoffIdleStrategy(platform);
        long idles = 0;
        do {
            idle.idle();
            idles++;
        } while (isHeld() || !casAcquire(me));
        spins.add(Math.min(idles, IDLES_BEFORE_PARKING));
        parks.add(Math.max(0, idles - IDLES_BEFORE_PARKING));
    }

    @Override
    public void unlock() {
        checkOwner();
        releaseWord();
    }
}
