package io.taskscratch.demo.locks;

import io.taskscratch.platform.ForwardingPlatform;
import io.taskscratch.platform.Platform;

import java.util.concurrent.atomic.LongAdder;

/**
 * A platform that counts what a lock does with the CPU — parks, spin pauses, yields — and
 * forwards every call. Thread-safe ({@link LongAdder}s), for real threads; the scheduler model
 * meters itself with plain counters.
 */
public final class CountingPlatform extends ForwardingPlatform {
    private final LongAdder parks = new LongAdder();
    private final LongAdder spinPauses = new LongAdder();
    private final LongAdder yields = new LongAdder();

    /**
     * @param delegate the platform that does the work
     */
    public CountingPlatform(Platform delegate) {
        super(delegate);
    }

    /** Calls to {@code park} and {@code parkNanos} so far. */
    public long parks() {
        return parks.sum();
    }

    /** Calls to {@code spinPause} so far. */
    public long spinPauses() {
        return spinPauses.sum();
    }

    /** Calls to {@code yieldCpu} so far. */
    public long yields() {
        return yields.sum();
    }

    @Override
    public void park(Object blocker) {
        parks.increment();
        super.park(blocker);
    }

    @Override
    public void parkNanos(Object blocker, long nanos) {
        parks.increment();
        super.parkNanos(blocker, nanos);
    }

    @Override
    public void spinPause() {
        spinPauses.increment();
        super.spinPause();
    }

    @Override
    public void yieldCpu() {
        yields.increment();
        super.yieldCpu();
    }
}
