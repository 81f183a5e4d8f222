package io.taskscratch.mutex;

import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.PlatformTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mutex's one-entry caller cache is written only by an owner: a waiter on a slow path looks
 * itself up without storing there (a store would pull the lock word's cache line away from the
 * owner in its critical section), and ownership checks compare threads, so they are right whatever
 * the cache holds.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TaskCacheTest {
    private final AdaptiveMutex m = AdaptiveMutex.create(NativePlatform.instance(), OwnerStateSource.none());

    @Test
    void aQueuedWaiterLeavesTheOwnersCacheEntryAlone() throws Exception {
        PlatformTask me = Workers.me();
        m.lock(); // fast path: the owner caches itself
        assertSame(me, m.cachedTask());
        AtomicReference<PlatformTask> waiterTask = new AtomicReference<>();
        CountDownLatch owns = new CountDownLatch(1);
        try (Workers w = new Workers()) {
            Thread waiter = w.start("waiter", () -> {
                waiterTask.set(Workers.me());
                m.lock(); // slow path: spins, queues and parks while we hold the lock
                try {
                    owns.countDown();
                } finally {
                    m.unlock(); // ownership by thread: right though the cache holds the other task
                }
            });
            Workers.awaitParked(waiter);
            assertTrue(m.hasQueuedWaiters(), "the waiter should be queued: " + m);
            assertSame(me, m.cachedTask(), "a waiter wrote the cache while the owner held the lock");
            m.unlock();
            assertTrue(owns.await(Workers.LIVENESS_SECONDS, TimeUnit.SECONDS));
            w.joinAll();
        }
        assertSame(me, m.cachedTask(), "an owner that came in through the slow path needs no cache entry");
        assertEquals(0, m.stateBits());
        assertEquals(2, m.metrics().acquisitions());
    }

    @Test
    void anOwnerThatIsNotInTheCacheStillUnlocksAndOthersStillCannot() throws Exception {
        PlatformTask me = Workers.me();
        m.lock();
        m.unlock();
        assertSame(me, m.cachedTask());
        try (Workers w = new Workers()) {
            CountDownLatch release = w.holdElsewhere(m); // fast path: the holder replaces us in the cache
            PlatformTask holder = m.owner();
            assertSame(holder, m.cachedTask());
            IllegalMonitorStateException e = assertThrows(IllegalMonitorStateException.class, m::unlock);
            assertTrue(e.getMessage().contains(me.name()), e.getMessage());
            assertTrue(m.isLocked(), "a refused unlock must not release");
            assertSame(holder, m.cachedTask(), "a refused unlock must not write the cache");
            release.countDown();
            w.joinAll();
        }
        assertEquals(0, m.stateBits());
    }
}
