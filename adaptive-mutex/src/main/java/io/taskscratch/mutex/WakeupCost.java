package io.taskscratch.mutex;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The one-time measurement behind {@link SpinTuning#measured()}: what one wake-up costs on this
 * machine as a lock waiter pays it, i.e. from {@code unpark} until the parked thread runs again
 * <em>while the waker keeps running</em> (a releaser goes on with its own work; it does not park
 * and hand its CPU to the wakee, which would measure a cheap same-CPU switch instead). A sleeper
 * thread parks; the measuring thread unparks it and spins until the sleeper has recorded when it
 * ran. The median of {@value #SAMPLES} such wake-ups (after as many for warm-up), clamped, is the
 * cost. The holder idiom runs it once, on first use; every later call is a load.
 */
final class WakeupCost {
    /** Wake-ups measured (after as many for warm-up). */
    static final int SAMPLES = 101;
    /** Lower clamp: below this a futex wake-up cannot be (1 µs). */
    static final long MIN_NANOS = 1_000;
    /** Upper clamp: a loaded machine must not make spinners spin for milliseconds (200 µs). */
    static final long MAX_NANOS = 200_000;

    static final long NANOS = measure();
    static final SpinTuning TUNING = SpinTuning.forWakeupCost(NANOS);

    private WakeupCost() {
    }

    private static long measure() {
        long[] cost = new long[SAMPLES];
        Sleeper s = new Sleeper();
        // A nested class, not a lambda: a lambda's body would be a method of this class, which the
        // sleeper thread could not run before this class's initialisation (which waits for it) ends.
        Thread t = Thread.ofPlatform().daemon().name("taskscratch-wakeup-cost").start(s);
        for (int i = 0; i < 2 * SAMPLES; i++) {
            while (!s.parked) {
                Thread.onSpinWait(); // the sleeper is about to park
            }
            spinMicros(20); // let it get into park
            s.parked = false;
            long t0 = System.nanoTime();
            LockSupport.unpark(t);
            long ran;
            while ((ran = s.ranAt) == 0) {
                Thread.onSpinWait(); // the waker keeps its CPU, as a lock releaser does
            }
            s.ranAt = 0;
            if (i >= SAMPLES) {
                cost[i - SAMPLES] = ran - t0;
            }
        }
        s.done = true;
        LockSupport.unpark(t);
        Arrays.sort(cost);
        return Math.max(MIN_NANOS, Math.min(MAX_NANOS, cost[SAMPLES / 2]));
    }

    private static void spinMicros(long us) {
        long end = System.nanoTime() + us * 1_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /** Parks until unparked, records when it ran, and parks again, until {@link #done}. */
    private static final class Sleeper implements Runnable {
        volatile boolean parked;
        volatile long ranAt;
        volatile boolean done;

        @Override
        public void run() {
            while (!done) {
                parked = true;
                while (parked && !done) {
                    LockSupport.park(this);
                }
                if (!done) {
                    ranAt = System.nanoTime();
                }
            }
        }
    }
}
