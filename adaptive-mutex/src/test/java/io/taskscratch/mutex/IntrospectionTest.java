package io.taskscratch.mutex;

import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.NativePlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code ReentrantLock}-style introspection: owner, queued threads, condition waiters. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IntrospectionTest {
    /** Queued waiters park at once: no spin budget, so every waiter is in the queue. */
    private static final SpinTuning NO_SPIN = new SpinTuning(0, 0, 4, TimeUnit.MILLISECONDS.toNanos(1));

    private final AdaptiveMutex m = AdaptiveMutex.builder(NativePlatform.instance()).tuning(NO_SPIN).build();

    @Test
    void ownerIsTheHoldingThreadAndNullWhenFree() throws Exception {
        assertNull(m.getOwner());
        assertNull(m.owner());
        m.lock();
        assertSame(Thread.currentThread(), m.getOwner());
        assertSame(Workers.me(), m.owner());
        m.unlock();
        assertNull(m.getOwner());
        try (Workers w = new Workers()) {
            CountDownLatch release = w.holdElsewhere(m);
            Thread holder = m.getOwner();
            assertEquals("holder", holder.getName());
            release.countDown();
            w.joinAll();
        }
        assertNull(m.getOwner());
    }

    @Test
    void queuedThreadsAreCountedAndFoundUntilTheyGetTheLock() throws Exception {
        assertFalse(m.hasQueuedThreads());
        assertEquals(0, m.getQueueLength());
        assertFalse(m.hasQueuedThread(Thread.currentThread()));
        assertThrows(NullPointerException.class, () -> m.hasQueuedThread(null));
        try (Workers w = new Workers()) {
            m.lock();
            Thread a = w.start("a", () -> {
                m.lock();
                m.unlock();
            });
            Workers.awaitParked(a);
            Thread b = w.start("b", () -> {
                m.lock();
                m.unlock();
            });
            Workers.awaitParked(b);
            assertTrue(m.hasQueuedThreads());
            assertEquals(2, m.getQueueLength());
            assertTrue(m.hasQueuedThread(a));
            assertTrue(m.hasQueuedThread(b));
            assertFalse(m.hasQueuedThread(Thread.currentThread()), "the owner does not wait");
            m.unlock();
            w.joinAll();
            assertFalse(m.hasQueuedThread(a));
            assertFalse(m.hasQueuedThreads());
            assertEquals(0, m.getQueueLength());
        }
    }

    @Test
    void aSpinnerWaitsToo() throws Exception {
        AdaptiveMutex spinning = AdaptiveMutex.builder(NativePlatform.instance())
                .tuning(new SpinTuning(TimeUnit.SECONDS.toNanos(30), 0, 4, TimeUnit.SECONDS.toNanos(30))).build();
        try (Workers w = new Workers()) {
            spinning.lock();
            Thread s = w.start("spinner", () -> {
                spinning.lock();
                spinning.unlock();
            });
            Workers.awaitTrue("spinner in the slot", () -> spinning.spinner() != null);
            assertFalse(spinning.hasQueuedWaiters(), "not queued");
            assertTrue(spinning.hasQueuedThreads());
            assertTrue(spinning.hasQueuedThread(s));
            assertEquals(1, spinning.getQueueLength());
            spinning.unlock();
            w.joinAll();
        }
        assertEquals(0, spinning.getQueueLength());
    }

    @Test
    void conditionWaitersAreCountedAndListedByTheOwner() throws Exception {
        Condition c = m.newCondition();
        m.lock();
        assertFalse(m.hasWaiters(c));
        assertEquals(0, m.getWaitQueueLength(c));
        assertEquals(List.of(), m.getWaitingThreads(c));
        m.unlock();
        try (Workers w = new Workers()) {
            Thread[] waiters = new Thread[2];
            for (int i = 0; i < 2; i++) {
                waiters[i] = w.start("waiter-" + i, () -> {
                    m.lock();
                    try {
                        c.awaitUninterruptibly();
                    } finally {
                        m.unlock();
                    }
                });
                Thread t = waiters[i];
                Workers.awaitTrue(t.getName() + " in await", () -> {
                    m.lock();
                    try {
                        return m.getWaitingThreads(c).contains(t);
                    } finally {
                        m.unlock();
                    }
                });
            }
            m.lock();
            try {
                assertTrue(m.hasWaiters(c));
                assertEquals(2, m.getWaitQueueLength(c));
                assertEquals(List.of(waiters[0], waiters[1]), m.getWaitingThreads(c), "in queue order");
                c.signal();
                assertEquals(List.of(waiters[1]), m.getWaitingThreads(c), "a signalled waiter no longer waits on the condition");
                c.signalAll();
                assertFalse(m.hasWaiters(c));
                assertEquals(0, m.getWaitQueueLength(c));
            } finally {
                m.unlock();
            }
            w.joinAll();
        }
    }

    @Test
    void conditionIntrospectionNeedsTheMutexAndItsOwnCondition() {
        Condition c = m.newCondition();
        assertThrows(IllegalMonitorStateException.class, () -> m.hasWaiters(c));
        assertThrows(IllegalMonitorStateException.class, () -> m.getWaitQueueLength(c));
        assertThrows(IllegalMonitorStateException.class, () -> m.getWaitingThreads(c));
        AdaptiveMutex other = AdaptiveMutex.create(NativePlatform.instance(), OwnerStateSource.none());
        Condition foreign = other.newCondition();
        Condition jdk = new ReentrantLock().newCondition();
        m.lock();
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.hasWaiters(foreign));
            assertTrue(e.getMessage().contains("is not a condition of"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.getWaitQueueLength(jdk));
            assertThrows(NullPointerException.class, () -> m.getWaitingThreads(null));
        } finally {
            m.unlock();
        }
    }
}
