package io.taskscratch.mutex;

import io.taskscratch.mutex.testing.ManualOwnerStateSource;
import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.NativePlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Anti-starvation: hand-off to a waiter that keeps losing, and liveness under hammering. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HandoffTest {
    private static final long FOREVER = TimeUnit.HOURS.toNanos(1);

    @Test
    void aWaiterThatKeepsLosingIsHandedTheLockAndNobodyCanBarge() throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            if (handoffScenario()) {
                return;
            }
        }
        throw new AssertionError("the waiter never requested a hand-off in 5 attempts");
    }

    /** Returns false when the waiter happened to win a barging race first (inconclusive). */
    private boolean handoffScenario() throws Exception {
        ManualOwnerStateSource source = new ManualOwnerStateSource("manual");
        source.set(Workers.me(), OwnerState.NOT_RUNNING); // the waiter never spins on us
        AdaptiveMutex m = AdaptiveMutex.builder(NativePlatform.instance())
                .stateSource(source)
                .tuning(new SpinTuning(FOREVER, FOREVER, 1, FOREVER))
                .build();
        CountDownLatch waiterOwns = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        m.lock();
        try (Workers w = new Workers()) {
            Thread waiter = w.start("starving", () -> {
                m.lock();
                waiterOwns.countDown();
                release.await();
                m.unlock();
            });
            Workers.awaitParked(waiter);
            boolean conclusive = true;
            for (int i = 0; i < 10_000 && (m.stateBits() & AdaptiveMutex.HANDOFF) == 0; i++) {
                m.unlock();
                if (!m.tryLock()) { // barge straight back in; the woken waiter loses
                    conclusive = false;
                    break;
                }
                Thread.sleep(0, 100_000);
            }
            if (conclusive) {
                assertTrue((m.stateBits() & AdaptiveMutex.HANDOFF) != 0, "no hand-off requested: " + m);
                m.unlock();
                assertFalse(m.tryLock(), "a pending hand-off must not be barged past");
                assertTrue(waiterOwns.await(Workers.LIVENESS_SECONDS, TimeUnit.SECONDS));
                assertEquals(1, m.metrics().handoffs());
            }
            waiterOwns.await();
            release.countDown();
            w.joinAll();
            assertEquals(0, m.stateBits());
            return conclusive;
        }
    }

    @Test
    void aWaiterGetsTheLockWhileOthersHammerIt() throws Exception {
        AdaptiveMutex m = AdaptiveMutex.create(NativePlatform.instance(), OwnerStateSource.none());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger victimRounds = new AtomicInteger();
        try (Workers w = new Workers()) {
            for (int t = 0; t < 2; t++) {
                w.start("hammer-" + t, () -> {
                    while (!stop.get()) {
                        m.lock();
                        Thread.onSpinWait();
                        m.unlock();
                    }
                });
            }
            Thread victim = w.start("victim", () -> {
                for (int i = 0; i < 200; i++) {
                    m.lock();
                    victimRounds.incrementAndGet();
                    m.unlock();
                }
            });
            victim.join(TimeUnit.SECONDS.toMillis(Workers.LIVENESS_SECONDS));
            stop.set(true);
            w.joinAll();
        }
        assertEquals(200, victimRounds.get(), "the victim starved");
        assertEquals(0, m.stateBits());
    }
}
