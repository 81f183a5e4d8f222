package io.taskscratch.mutex;

import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.ForwardingPlatform;
import io.taskscratch.platform.NativePlatform;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A spinner that sees the word free and loses its CAS to a barging owner backs off as for a held
 * word. The platform's {@code lineAccess} hook makes a barger thread release the lock just before
 * each of the spinner's reads of the word and take it back just before each of its CASes: every
 * poll sees the word free and every CAS fails, the race that, without a pause after a lost CAS,
 * keeps the spinner polling with no pause and no clock read.
 */
class LostCasBackoffTest {
    private static final long LONG = TimeUnit.SECONDS.toNanos(30);
    private static final int CYCLES = 200;

    /** Runs the race through the spinner's declared accesses to the mutex's word. */
    private static final class RacingPlatform extends ForwardingPlatform {
        final ExecutorService barger = Executors.newSingleThreadExecutor();
        final AtomicInteger lostCases = new AtomicInteger();
        final AtomicInteger pausesInRace = new AtomicInteger();
        volatile AdaptiveMutex mutex;
        volatile Thread spinner;
        volatile boolean started; // the spinner's first read of the word: only the spin loop reads it
        volatile boolean racing = true;

        RacingPlatform() {
            super(NativePlatform.instance());
        }

        void bargerRuns(Runnable r) {
            try {
                barger.submit(r).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("barger", e);
            }
        }

        @Override
        public void lineAccess(Object line, boolean write) {
            if (!racing || line != mutex || Thread.currentThread() != spinner) {
                return;
            }
            if (!write) {
                started = true;
                bargerRuns(mutex::unlock);
            } else if (started) {
                bargerRuns(mutex::lock);
                if (lostCases.incrementAndGet() == CYCLES) {
                    racing = false; // the barger keeps the lock; the spinner polls a held word from here
                }
            }
        }

        @Override
        public void spinPause() {
            if (racing && started && Thread.currentThread() == spinner) {
                pausesInRace.incrementAndGet();
            }
            super.spinPause();
        }
    }

    @Test
    void aSpinnerThatLosesItsCasToABargingOwnerPausesBeforeItPollsAgain() throws Exception {
        RacingPlatform p = new RacingPlatform();
        AdaptiveMutex m = AdaptiveMutex.builder(p).tuning(new SpinTuning(LONG, LONG, 4, LONG, 8, true, 32)).build();
        p.mutex = m;
        p.bargerRuns(m::lock);
        try (Workers w = new Workers()) {
            Thread t = w.start("spinner", () -> {
                m.lock();
                m.unlock();
            });
            p.spinner = t;
            Workers.awaitTrue("the race is run", () -> !p.racing);
            p.bargerRuns(m::unlock);
            w.joinAll();
        } finally {
            p.barger.shutdownNow();
        }
        assertEquals(CYCLES, p.lostCases.get());
        assertTrue(p.pausesInRace.get() >= CYCLES,
                p.pausesInRace.get() + " pauses over " + CYCLES + " lost CASes: a lost CAS must be followed by a pause");
    }
}
