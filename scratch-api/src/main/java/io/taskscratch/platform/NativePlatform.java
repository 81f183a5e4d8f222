package io.taskscratch.platform;

import java.util.concurrent.locks.LockSupport;

/**
 * {@link Platform} for real Java platform threads: {@link LockSupport}, {@link Thread#onSpinWait}
 * and {@link System#nanoTime}. Each thread's {@link PlatformTask} is created once and cached,
 * so {@link #currentTask()} does not allocate after a thread's first call.
 */
public final class NativePlatform implements Platform {
    private static final NativePlatform INSTANCE = new NativePlatform();

    private static final ThreadLocal<ThreadTask> TASKS = ThreadLocal.withInitial(() -> new ThreadTask(Thread.currentThread()));

    private NativePlatform() {
    }

    /** The shared instance. */
    public static NativePlatform instance() {
        return INSTANCE;
    }

    @Override
    public PlatformTask currentTask() {
        return TASKS.get();
    }

    @Override
    public void park(Object blocker) {
        LockSupport.park(blocker);
    }

    @Override
    public void parkNanos(Object blocker, long nanos) {
        LockSupport.parkNanos(blocker, nanos);
    }

    @Override
    public void unpark(PlatformTask task) {
        LockSupport.unpark(((ThreadTask) task).thread());
    }

    @Override
    public void spinPause() {
        Thread.onSpinWait();
    }

    @Override
    public void yieldCpu() {
        Thread.yield();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public boolean interrupted() {
        return Thread.interrupted();
    }

    @Override
    public void interrupt(PlatformTask task) {
        ((ThreadTask) task).thread().interrupt();
    }

    @Override
    public boolean isInterrupted() {
        return Thread.currentThread().isInterrupted();
    }

    @Override
    public String toString() {
        return "NativePlatform";
    }

    /**
     * The {@link PlatformTask} of a Java thread.
     *
     * @param thread the thread
     */
    public record ThreadTask(Thread thread) implements PlatformTask {
        @Override
        public String name() {
            return thread.getName();
        }

        @Override
        public long id() {
            return thread.threadId();
        }
    }
}
