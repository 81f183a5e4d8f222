package io.taskscratch.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The one place scratch-api asks for grace periods: program-side read sections, deferred
 * unpinning and deferred slot reuse all go through here, so switching the implementation to
 * {@code io.taskscratch.rcu.Rcu} is a change to this class only.
 *
 * <p>Implementation overview: a read section holds the shared side of a read-write lock; a
 * grace period is acquiring and releasing the exclusive side, which returns only after every
 * section that began earlier has ended. Deferred callbacks run in order on one daemon thread,
 * each after its own grace period, so {@link #barrier()} (queue an empty task and wait) returns
 * after every earlier callback ran.
 */
public final class GracePeriods {
    private static final ReentrantReadWriteLock LOCK = new ReentrantReadWriteLock();
    private static final ExecutorService CALLBACKS = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "taskscratch-grace-period");
        t.setDaemon(true);
        return t;
    });

    private GracePeriods() {
    }

    /** Enters a read-side section (reentrant; may be entered by several threads at once). */
    public static void readLock() {
        LOCK.readLock().lock();
    }

    /** Leaves the read-side section entered by the matching {@link #readLock()}. */
    public static void readUnlock() {
        LOCK.readLock().unlock();
    }

    /** Waits until every read-side section that began before this call has ended. */
    public static void synchronize() {
        LOCK.writeLock().lock();
        LOCK.writeLock().unlock();
    }

    /** Runs {@code callback} on the grace-period thread after a grace period. */
    public static void defer(Runnable callback) {
        CALLBACKS.execute(() -> {
            synchronize();
            callback.run();
        });
    }

    /** Waits until every callback deferred before this call has run. */
    public static void barrier() {
        Future<?> done = CALLBACKS.submit(() -> { });
        boolean interrupted = false;
        while (true) {
            try {
                done.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
