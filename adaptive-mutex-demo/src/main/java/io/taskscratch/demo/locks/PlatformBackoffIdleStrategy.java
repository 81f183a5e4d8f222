package io.taskscratch.demo.locks;

import io.taskscratch.platform.Platform;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Agrona's {@link BackoffIdleStrategy} state machine on a {@link Platform}: {@code maxSpins}
 * spin pauses, then {@code maxYields} yields, then timed parks doubling from
 * {@code minParkPeriodNs} to {@code maxParkPeriodNs}. Agrona's own class calls
 * {@code Thread.onSpinWait}, {@code Thread.yield} and {@code LockSupport.parkNanos} directly, so
 * it cannot run inside the scheduler model; this one makes the same calls through the platform,
 * with the same defaults.
 */
public final class PlatformBackoffIdleStrategy implements IdleStrategy {
    private static final int NOT_IDLE = 0;
    private static final int SPINNING = 1;
    private static final int YIELDING = 2;
    private static final int PARKING = 3;

    private final Platform platform;
    private final long maxSpins;
    private final long maxYields;
    private final long minParkPeriodNs;
    private final long maxParkPeriodNs;
    private int state = NOT_IDLE;
    private long spins;
    private long yields;
    private long parkPeriodNs;

    /**
     * With Agrona's defaults (10 spins, 5 yields, parks from 1 µs to 1 ms).
     *
     * @param platform where to spin, yield and park
     */
    public PlatformBackoffIdleStrategy(Platform platform) {
        this(platform, BackoffIdleStrategy.DEFAULT_MAX_SPINS, BackoffIdleStrategy.DEFAULT_MAX_YIELDS,
                BackoffIdleStrategy.DEFAULT_MIN_PARK_PERIOD_NS, BackoffIdleStrategy.DEFAULT_MAX_PARK_PERIOD_NS);
    }

    /**
     * @param platform        where to spin, yield and park
     * @param maxSpins        spin pauses before yielding
     * @param maxYields       yields before parking
     * @param minParkPeriodNs first park period
     * @param maxParkPeriodNs longest park period
     */
    public PlatformBackoffIdleStrategy(Platform platform, long maxSpins, long maxYields, long minParkPeriodNs,
                                       long maxParkPeriodNs) {
        this.platform = platform;
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkPeriodNs = minParkPeriodNs;
        this.maxParkPeriodNs = maxParkPeriodNs;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
        } else {
            idle();
        }
    }

    @Override
    public void idle() {
        switch (state) {
            case NOT_IDLE:
                state = SPINNING;
                spins++;
                break;
            case SPINNING:
                platform.spinPause();
                if (++spins > maxSpins) {
                    state = YIELDING;
                    yields = 0;
                }
                break;
            case YIELDING:
                if (++yields > maxYields) {
                    state = PARKING;
                    parkPeriodNs = minParkPeriodNs;
                } else {
                    platform.yieldCpu();
                }
                break;
            default:
                platform.parkNanos(this, parkPeriodNs);
                parkPeriodNs = Math.min(parkPeriodNs << 1, maxParkPeriodNs);
                break;
        }
    }

    @Override
    public void reset() {
        spins = 0;
        yields = 0;
        parkPeriodNs = minParkPeriodNs;
        state = NOT_IDLE;
    }

    @Override
    public String alias() {
        return "platform-backoff";
    }
}
