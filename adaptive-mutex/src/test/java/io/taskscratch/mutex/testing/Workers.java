package io.taskscratch.mutex.testing;

import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.PlatformTask;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Daemon worker threads for tests, with liveness timeouts and failure propagation. Shared with the
 * tests of adaptive-mutex-demo and scratch-kernel through this module's test-jar.
 */
public final class Workers implements AutoCloseable {
    public static final long LIVENESS_SECONDS = 30;

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** A body that may throw anything. */
    public interface Body {
        void run() throws Exception;
    }

    /** Starts a daemon thread; a throwable it raises fails the test at {@link #joinAll()}. */
    public Thread start(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    /**
     * Contends {@code m} from the start: locks it, starts {@code threads} platform threads that each
     * lock and unlock it {@code rounds} times, unlocks once a waiter has queued, and joins them. For
     * child JVMs that check what contention loads or starts: it starts exactly {@code threads} threads.
     *
     * @return the number of critical sections that ran (threads x rounds unless exclusion failed)
     */
    public static long contendFromTheStart(AdaptiveMutex m, int threads, int rounds) throws InterruptedException {
        long[] count = new long[1];
        Runnable body = () -> {
            for (int i = 0; i < rounds; i++) {
                m.lock();
                try {
                    count[0]++;
                } finally {
                    m.unlock();
                }
            }
        };
        Thread[] started = new Thread[threads];
        m.lock(); // every thread starts contended
        for (int i = 0; i < threads; i++) {
            started[i] = new Thread(body);
            started[i].start();
        }
        while (!m.hasQueuedWaiters()) {
            Thread.onSpinWait();
        }
        m.unlock();
        for (Thread t : started) {
            t.join();
        }
        m.lock(); // the workers' writes to count happen-before this read
        try {
            return count[0];
        } finally {
            m.unlock();
        }
    }

    /**
     * Locks {@code lock} on a new worker and keeps it until the returned latch is counted down.
     * Returns once the worker holds the lock.
     */
    public CountDownLatch holdElsewhere(Lock lock) throws InterruptedException {
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        start("holder", () -> {
            lock.lock();
            locked.countDown();
            release.await();
            lock.unlock();
        });
        assertTrue(locked.await(LIVENESS_SECONDS, TimeUnit.SECONDS), "holder did not get the lock");
        return release;
    }

    /** Joins every worker within the liveness timeout and rethrows the first failure. */
    public void joinAll() throws InterruptedException {
        joinAll(LIVENESS_SECONDS);
    }

    /** Joins every worker within {@code seconds} in all and rethrows the first failure. */
    public void joinAll(long seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            assertFalse(t.isAlive(), () -> t.getName() + " still running after " + seconds + " s: " + stack(t));
        }
        Throwable e = failure.get();
        if (e != null) {
            fail("worker failed: " + e, e);
        }
    }

    /** Waits (up to the liveness timeout) until {@code condition} holds. */
    public static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVENESS_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - end < 0, "timed out waiting until " + what);
            Thread.sleep(1);
        }
    }

    /** Waits until some task waits for {@code m} (queued or spinning). */
    public static void awaitContended(String what, AdaptiveMutex m) throws InterruptedException {
        awaitTrue(what, m::hasQueuedThreads);
    }

    /** Waits until {@code t} is parked (WAITING / TIMED_WAITING). */
    public static void awaitParked(Thread t) throws InterruptedException {
        awaitTrue(t.getName() + " parked", () -> {
            Thread.State s = t.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        });
    }

    /** The calling thread's platform task. */
    public static PlatformTask me() {
        return NativePlatform.instance().currentTask();
    }

    private static String stack(Thread t) {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            sb.append("\n  at ").append(e);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}
