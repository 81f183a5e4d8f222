package io.taskscratch.rcu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one-way sleepable flag decides between a normal and a chained free. */
@Timeout(60)
class GraceTrackerTest {
    private final Rcu rcu = Rcu.create("tracker");
    private final CountDownLatch releaseTrace = new CountDownLatch(1);
    private final AtomicBoolean traceLeft = new AtomicBoolean();

    @AfterEach
    void tearDown() {
        releaseTrace.countDown();
        rcu.close();
    }

    /** Starts a TASKS_TRACE reader that stays inside until the test ends. */
    private void blockedTraceReader() throws InterruptedException {
        CountDownLatch in = new CountDownLatch(1);
        Thread.ofPlatform().daemon().start(() -> {
            rcu.readLock(Flavor.TASKS_TRACE);
            in.countDown();
            try {
                releaseTrace.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            traceLeft.set(true);
            rcu.readUnlock(Flavor.TASKS_TRACE);
        });
        assertTrue(in.await(10, TimeUnit.SECONDS));
    }

    @Test
    void nonSleepableObjectsDoNotWaitForTasksTraceReaders() throws Exception {
        blockedTraceReader();
        GraceTracker t = new GraceTracker(rcu);
        assertFalse(t.hasSleepable());
        CompletableFuture<Boolean> freed = new CompletableFuture<>();
        t.retire(() -> freed.complete(traceLeft.get()));
        assertFalse(freed.get(10, TimeUnit.SECONDS), "freed only after the tasks-trace reader left");
        CompletableFuture.runAsync(t::synchronize).get(10, TimeUnit.SECONDS);
    }

    @Test
    void sleepableObjectsWaitForBothFlavors() throws Exception {
        blockedTraceReader();
        GraceTracker t = new GraceTracker(rcu);
        t.markSleepable();
        t.markSleepable();
        assertTrue(t.hasSleepable());
        CompletableFuture<Boolean> freed = new CompletableFuture<>();
        long before = rcu.startedGracePeriods(Flavor.TASKS_TRACE);
        t.retire(() -> freed.complete(traceLeft.get()));
        CompletableFuture<Boolean> synced = CompletableFuture.supplyAsync(() -> {
            t.synchronize();
            return traceLeft.get();
        });
        while (rcu.startedGracePeriods(Flavor.TASKS_TRACE) == before) {
            Thread.sleep(1);
        }
        assertFalse(freed.isDone());
        assertFalse(synced.isDone());
        releaseTrace.countDown();
        assertTrue(freed.get(10, TimeUnit.SECONDS), "freed before the tasks-trace reader left");
        assertTrue(synced.get(10, TimeUnit.SECONDS), "synchronized before the tasks-trace reader left");
    }
}
