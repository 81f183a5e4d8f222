package io.taskscratch.mutex;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.NativePlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@link java.util.concurrent.locks.Lock} contract of {@link AdaptiveMutex} on real threads. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AdaptiveMutexLockTest {
    private final AdaptiveMutex m = AdaptiveMutex.create(NativePlatform.instance(), OwnerStateSource.none());

    @Test
    void lockUnlockTracksOwnerAndCounts() {
        assertFalse(m.isLocked());
        m.lock();
        assertTrue(m.isLocked());
        assertTrue(m.isHeldByCurrentTask());
        assertSame(Workers.me(), m.owner());
        m.unlock();
        assertFalse(m.isLocked());
        assertNull(m.owner());
        assertEquals(0, m.stateBits());
        assertEquals(1, m.metrics().acquisitions());
    }

    @Test
    void unlockWithoutOwningThrowsIllegalMonitorState() throws Exception {
        assertThrows(IllegalMonitorStateException.class, m::unlock);
        try (Workers w = new Workers()) {
            CountDownLatch release = w.holdElsewhere(m);
            IllegalMonitorStateException e = assertThrows(IllegalMonitorStateException.class, m::unlock);
            assertTrue(e.getMessage().contains(Workers.me().name()), e.getMessage());
            assertTrue(m.isLocked(), "a refused unlock must not release");
            release.countDown();
            w.joinAll();
        }
        assertEquals(0, m.stateBits());
    }

    @Test
    void relockByOwnerFailsAtOnceWithEdeadlkAndChangesNothing() throws Exception {
        m.lock();
        for (Executable relock : new Executable[] {m::lock, m::lockInterruptibly, m::tryLock, () -> m.tryLock(1, TimeUnit.DAYS)}) {
            ScratchException e = assertThrows(ScratchException.class, relock);
            assertEquals(Errno.EDEADLK, e.errno());
            assertTrue(e.getMessage().contains("not reentrant"), e.getMessage());
        }
        assertEquals(AcquireResult.DEADLOCK, m.acquire());
        assertEquals(AdaptiveMutex.LOCKED, m.stateBits());
        assertTrue(m.isHeldByCurrentTask());
        assertEquals(5, m.metrics().deadlocks());
        m.unlock();
        assertEquals(0, m.stateBits());
    }

    @Test
    void tryLockFailsWhileHeldAndSucceedsWhenFree() throws Exception {
        try (Workers w = new Workers()) {
            CountDownLatch release = w.holdElsewhere(m);
            assertFalse(m.tryLock());
            release.countDown();
            w.joinAll();
        }
        assertTrue(m.tryLock());
        m.unlock();
    }

    @Test
    void timedTryLockTimesOutAndLeavesNoTrace() throws Exception {
        try (Workers w = new Workers()) {
            CountDownLatch release = w.holdElsewhere(m);
            assertFalse(m.tryLock(20, TimeUnit.MILLISECONDS));
            assertFalse(m.tryLock(0, TimeUnit.NANOSECONDS));
            assertFalse(m.tryLock(-5, TimeUnit.SECONDS));
            assertEquals(AdaptiveMutex.LOCKED, m.stateBits(), "no waiter or hand-off request left behind");
            assertTrue(m.metrics().timeouts() >= 2);
            release.countDown();
            w.joinAll();
        }
        assertEquals(0, m.stateBits());
    }

    @Test
    void timedTryLockSucceedsWhenReleasedDuringTheWait() throws Exception {
        try (Workers w = new Workers()) {
            CountDownLatch release = w.holdElsewhere(m);
            AtomicBoolean got = new AtomicBoolean();
            Thread waiter = w.start("waiter", () -> {
                got.set(m.tryLock(Workers.LIVENESS_SECONDS, TimeUnit.SECONDS));
                m.unlock();
            });
            Workers.awaitParked(waiter);
            release.countDown();
            w.joinAll();
            assertTrue(got.get());
        }
    }

    @Test
    void interruptBeforeLockInterruptiblyThrowsAndDoesNotAcquire() {
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, m::lockInterruptibly);
        assertFalse(Thread.currentThread().isInterrupted(), "InterruptedException clears the status");
        assertFalse(m.isLocked());
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> m.tryLock(1, TimeUnit.SECONDS));
        assertFalse(m.isLocked());
    }

    @Test
    void interruptWhileWaitingInLockInterruptiblyThrows() throws Exception {
        interruptWhileWaiting(() -> m.lockInterruptibly());
    }

    @Test
    void interruptWhileWaitingInTimedTryLockThrows() throws Exception {
        interruptWhileWaiting(() -> m.tryLock(1, TimeUnit.DAYS));
    }

    private void interruptWhileWaiting(Executable acquire) throws Exception {
        try (Workers w = new Workers()) {
            CountDownLatch release = w.holdElsewhere(m);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean statusAfter = new AtomicBoolean(true);
            Thread waiter = w.start("waiter", () -> {
                try {
                    acquire.execute();
                } catch (Throwable e) {
                    thrown.set(e);
                    statusAfter.set(Thread.currentThread().isInterrupted());
                }
            });
            Workers.awaitParked(waiter);
            waiter.interrupt();
            waiter.join(TimeUnit.SECONDS.toMillis(Workers.LIVENESS_SECONDS));
            assertTrue(thrown.get() instanceof InterruptedException, String.valueOf(thrown.get()));
            assertFalse(statusAfter.get());
            assertEquals(AdaptiveMutex.LOCKED, m.stateBits(), "the cancelled waiter left the queue");
            release.countDown();
            w.joinAll();
        }
        assertTrue(m.tryLock(), "the lock is usable after a cancelled wait");
        m.unlock();
    }

    @Test
    void lockIgnoresInterruptsButKeepsTheStatus() throws Exception {
        try (Workers w = new Workers()) {
            CountDownLatch release = w.holdElsewhere(m);
            AtomicBoolean statusAfter = new AtomicBoolean();
            Thread waiter = w.start("waiter", () -> {
                m.lock();
                statusAfter.set(Thread.interrupted());
                m.unlock();
            });
            Workers.awaitParked(waiter);
            waiter.interrupt();
            Thread.sleep(20);
            assertTrue(waiter.isAlive(), "lock() must keep waiting when interrupted");
            release.countDown();
            w.joinAll();
            assertTrue(statusAfter.get(), "the interrupt status is re-asserted after lock()");
        }
    }

    @Test
    void mutualExclusionUnderContention() throws Exception {
        int threads = 4;
        int rounds = 50_000;
        int[] counter = {0};
        AtomicBoolean inside = new AtomicBoolean();
        AtomicBoolean overlap = new AtomicBoolean();
        try (Workers w = new Workers()) {
            for (int t = 0; t < threads; t++) {
                w.start("worker-" + t, () -> {
                    for (int i = 0; i < rounds; i++) {
                        m.lock();
                        try {
                            if (!inside.compareAndSet(false, true)) {
                                overlap.set(true);
                            }
                            counter[0]++;
                            inside.set(false);
                        } finally {
                            m.unlock();
                        }
                    }
                });
            }
            w.joinAll();
        }
        assertFalse(overlap.get(), "two tasks were inside the critical section at once");
        assertEquals(threads * rounds, counter[0]);
        assertEquals(threads * rounds, m.metrics().acquisitions());
        assertEquals(0, m.stateBits());
    }

    @Test
    void toStringAndMetricsSayWhenThereIsNoSchedulerState() {
        assertTrue(m.toString().contains("no scheduler state"), m.toString());
        assertEquals("none", m.metrics().stateSource());
        assertTrue(m.metrics().lock().contains("spin-then-park"));
    }
}
