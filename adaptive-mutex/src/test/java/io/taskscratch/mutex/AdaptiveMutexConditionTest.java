package io.taskscratch.mutex;

import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.NativePlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@link Condition} contract of {@link AdaptiveMutex#newCondition()}. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AdaptiveMutexConditionTest {
    private final AdaptiveMutex m = AdaptiveMutex.create(NativePlatform.instance(), OwnerStateSource.none());
    private final Condition c = m.newCondition();

    @Test
    void everyConditionMethodRequiresOwnership() {
        assertThrows(IllegalMonitorStateException.class, c::await);
        assertThrows(IllegalMonitorStateException.class, c::awaitUninterruptibly);
        assertThrows(IllegalMonitorStateException.class, () -> c.awaitNanos(1));
        assertThrows(IllegalMonitorStateException.class, () -> c.await(1, TimeUnit.MILLISECONDS));
        assertThrows(IllegalMonitorStateException.class, () -> c.awaitUntil(new Date()));
        assertThrows(IllegalMonitorStateException.class, c::signal);
        assertThrows(IllegalMonitorStateException.class, c::signalAll);
        assertFalse(m.isLocked());
    }

    @Test
    void signalWakesOneWaiterWhichHoldsTheLockOnReturn() throws Exception {
        AtomicBoolean ready = new AtomicBoolean();
        AtomicBoolean heldOnReturn = new AtomicBoolean();
        try (Workers w = new Workers()) {
            Thread waiter = w.start("waiter", () -> {
                m.lock();
                try {
                    while (!ready.get()) {
                        c.await();
                    }
                    heldOnReturn.set(m.isHeldByCurrentTask());
                } finally {
                    m.unlock();
                }
            });
            Workers.awaitParked(waiter);
            Workers.awaitTrue("waiter released the lock in await", () -> !m.isLocked());
            m.lock();
            ready.set(true);
            c.signal();
            m.unlock();
            w.joinAll();
        }
        assertTrue(heldOnReturn.get());
        assertEquals(0, m.stateBits());
    }

    @Test
    void signalAllWakesEveryWaiterAndSignalWakesExactlyOne() throws Exception {
        int n = 3;
        AtomicInteger woken = new AtomicInteger();
        try (Workers w = new Workers()) {
            Thread[] ts = new Thread[n];
            for (int i = 0; i < n; i++) {
                ts[i] = w.start("waiter-" + i, () -> {
                    m.lock();
                    try {
                        c.await();
                        woken.incrementAndGet();
                    } finally {
                        m.unlock();
                    }
                });
            }
            for (Thread t : ts) {
                Workers.awaitParked(t);
            }
            Workers.awaitTrue("all in await", () -> !m.isLocked());
            m.lock();
            c.signal();
            m.unlock();
            Workers.awaitTrue("one woken", () -> woken.get() == 1);
            Thread.sleep(20);
            assertEquals(1, woken.get(), "signal woke more than one waiter");
            m.lock();
            c.signalAll();
            m.unlock();
            w.joinAll();
        }
        assertEquals(n, woken.get());
    }

    @Test
    void signalWithoutWaitersIsANoOp() {
        m.lock();
        c.signal();
        c.signalAll();
        assertTrue(m.isHeldByCurrentTask());
        m.unlock();
    }

    @Test
    void timedAwaitsTimeOutAndStillHoldTheLock() throws Exception {
        m.lock();
        assertTrue(c.awaitNanos(TimeUnit.MILLISECONDS.toNanos(5)) <= 0);
        assertTrue(m.isHeldByCurrentTask());
        assertFalse(c.await(5, TimeUnit.MILLISECONDS));
        assertTrue(m.isHeldByCurrentTask());
        assertFalse(c.await(0, TimeUnit.MILLISECONDS));
        assertFalse(c.awaitUntil(new Date(System.currentTimeMillis() - 1000)), "a past deadline times out at once");
        assertTrue(m.isHeldByCurrentTask());
        m.unlock();
        assertEquals(0, m.stateBits());
    }

    @Test
    void timedAwaitReturnsTrueOrPositiveWhenSignalled() throws Exception {
        AtomicBoolean awaitResult = new AtomicBoolean();
        AtomicLong nanosLeft = new AtomicLong();
        AtomicInteger phase = new AtomicInteger();
        try (Workers w = new Workers()) {
            w.start("await", () -> {
                m.lock();
                try {
                    phase.set(1);
                    awaitResult.set(c.await(Workers.LIVENESS_SECONDS, TimeUnit.SECONDS));
                    phase.set(2);
                    nanosLeft.set(c.awaitNanos(TimeUnit.SECONDS.toNanos(Workers.LIVENESS_SECONDS)));
                } finally {
                    m.unlock();
                }
            });
            for (int p = 1; p <= 2; p++) {
                int expected = p;
                Workers.awaitTrue("phase " + p, () -> phase.get() == expected);
                m.lock(); // the waiter is in await once we get the lock in this phase
                c.signal();
                m.unlock();
            }
            w.joinAll();
        }
        assertTrue(awaitResult.get());
        assertTrue(nanosLeft.get() > 0);
    }

    @Test
    void interruptBeforeAwaitThrowsWithTheLockStillHeld() {
        m.lock();
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, c::await);
        assertFalse(Thread.currentThread().isInterrupted());
        assertTrue(m.isHeldByCurrentTask());
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> c.awaitNanos(1000));
        assertTrue(m.isHeldByCurrentTask());
        m.unlock();
    }

    @Test
    void interruptWhileAwaitingThrowsAfterReacquiring() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean heldWhenThrown = new AtomicBoolean();
        try (Workers w = new Workers()) {
            Thread a = w.start("await", () -> {
                m.lock();
                try {
                    c.await();
                } catch (InterruptedException e) {
                    thrown.set(e);
                    heldWhenThrown.set(m.isHeldByCurrentTask());
                } finally {
                    m.unlock();
                }
            });
            Workers.awaitParked(a);
            Workers.awaitTrue("in await", () -> !m.isLocked());
            a.interrupt();
            w.joinAll();
        }
        assertTrue(thrown.get() instanceof InterruptedException);
        assertTrue(heldWhenThrown.get());
        m.lock();
        c.signal(); // the cancelled node is gone: nothing to wake, nothing breaks
        m.unlock();
        assertEquals(0, m.stateBits());
    }

    @Test
    void awaitUninterruptiblyKeepsWaitingAndReassertsTheInterrupt() throws Exception {
        AtomicBoolean statusAfter = new AtomicBoolean();
        try (Workers w = new Workers()) {
            Thread a = w.start("await", () -> {
                m.lock();
                try {
                    c.awaitUninterruptibly();
                    statusAfter.set(Thread.currentThread().isInterrupted());
                } finally {
                    m.unlock();
                }
            });
            Workers.awaitParked(a);
            Workers.awaitTrue("in await", () -> !m.isLocked());
            a.interrupt();
            Thread.sleep(20);
            assertTrue(a.isAlive(), "awaitUninterruptibly returned on interrupt");
            m.lock();
            c.signal();
            m.unlock();
            w.joinAll();
        }
        assertTrue(statusAfter.get());
    }
}
