package io.taskscratch.mutex;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The one-time measurement behind {@link SpinTuning#measured()}: what one wake-up costs on this
 * machine, i.e. from {@code unpark} until the parked thread runs again. Two platform threads pass
 * the turn back and forth with park/unpark; half the median round trip is one wake-up. The holder
 * idiom runs it once, on first use, and every later call is a load.
 */
final class WakeupCost {
    /** Round trips measured (after as many for warm-up). */
    static final int ROUND_TRIPS = 101;
    /** Lower clamp: below this a futex wake-up cannot be (1 µs). */
    static final long MIN_NANOS = 1_000;
    /** Upper clamp: a loaded machine must not make spinners spin for milliseconds (200 µs). */
    static final long MAX_NANOS = 200_000;

    static final long NANOS = measure();
    static final SpinTuning TUNING = SpinTuning.forWakeupCost(NANOS);

    private WakeupCost() {
    }

    private static long measure() {
        long[] rtt = new long[ROUND_TRIPS];
        Thread main = Thread.currentThread();
        Turn t = new Turn();
        // A nested class, not a lambda: a lambda's body would be a method of this class, which the
        // echo thread could not run before this class's initialisation (which waits for it) ends.
        Thread echo = Thread.ofPlatform().daemon().name("taskscratch-wakeup-cost").start(new Echo(t, main));
        for (int i = 0; i < 2 * ROUND_TRIPS; i++) {
            long t0 = System.nanoTime();
            t.turn = 1;
            LockSupport.unpark(echo);
            while (t.turn != 0) {
                LockSupport.park(t);
            }
            if (i >= ROUND_TRIPS) {
                rtt[i - ROUND_TRIPS] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(rtt);
        return Math.max(MIN_NANOS, Math.min(MAX_NANOS, rtt[ROUND_TRIPS / 2] / 2));
    }

    /** The other side: waits for its turn, hands it back, {@code 2 * ROUND_TRIPS} times. */
    private static final class Echo implements Runnable {
        private final Turn t;
        private final Thread back;

        Echo(Turn t, Thread back) {
            this.t = t;
            this.back = back;
        }

        @Override
        public void run() {
            for (int i = 0; i < 2 * ROUND_TRIPS; i++) {
                while (t.turn != 1) {
                    LockSupport.park(t);
                }
                t.turn = 0;
                LockSupport.unpark(back);
            }
        }
    }

    /** Whose turn it is: 1 the echo thread's, 0 the measuring thread's. */
    private static final class Turn {
        volatile int turn;
    }
}
