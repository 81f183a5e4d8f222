package io.taskscratch.demo.locks;

import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.mutex.OwnerStateSource;

/**
 * Every lock of the comparison. {@link LockFactory#create} builds one of each on a platform;
 * kinds that exist only on real threads ({@code ReentrantLock}, {@code synchronized}) get a
 * Platform-based model elsewhere (see each constant).
 */
public enum LockKind {
    /**
     * {@link AdaptiveMutex} with the given {@link OwnerStateSource}: pinned regions, lossy regions
     * (at a drop rate), an rseq-style hint, or none (then a time-bounded spin-then-park).
     */
    ADAPTIVE,
    /** {@link AdaptiveMutex} in resilient mode (rqspinlock semantics), same state source. */
    ADAPTIVE_RESILIENT,
    /**
     * {@code java.util.concurrent.locks.ReentrantLock}, non-fair (AQS: barging, park in FIFO).
     * Model elsewhere: {@link QueueParkingLock} with no spin phase, non-fair.
     */
    REENTRANT_LOCK,
    /** {@code ReentrantLock(true)}. Model elsewhere: {@link QueueParkingLock}, FIFO hand-off. */
    REENTRANT_LOCK_FAIR,
    /**
     * A {@code synchronized} block. Model elsewhere: {@link HotSpotMonitor}, HotSpot's
     * {@code ObjectMonitor} with its adaptive spin (polls with a pause every 256, per-monitor
     * spin duration) and successor-based wake-ups.
     */
    SYNCHRONIZED,
    /** Test-and-test-and-set spin, never parks ({@link TtasLock}). */
    TTAS_SPIN,
    /** 100 spin pauses, then park (glibc {@code PTHREAD_MUTEX_ADAPTIVE_NP}'s cap). */
    SPIN_100_THEN_PARK,
    /** Spin, yield, then timed-park polling with Agrona's {@code BackoffIdleStrategy} ({@link BackoffLock}). */
    BACKOFF_SPIN_YIELD_PARK,
    /** 40 yields, then park (WebKit {@code WTF::Lock}). */
    YIELD_40_THEN_PARK
}
