package io.taskscratch.platform;

import java.util.Objects;

/**
 * A {@link Platform} that forwards every call to another one: the base for platforms that
 * meter or guard some calls (override those, call {@code super}) and pass the rest through.
 */
public abstract class ForwardingPlatform implements Platform {
    private final Platform delegate;

    /**
     * @param delegate the platform that does the work
     */
    protected ForwardingPlatform(Platform delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The platform calls are forwarded to. */
    protected final Platform delegate() {
        return delegate;
    }

    @Override
    public PlatformTask currentTask() {
        return delegate.currentTask();
    }

    @Override
    public void park(Object blocker) {
        delegate.park(blocker);
    }

    @Override
    public void parkNanos(Object blocker, long nanos) {
        delegate.parkNanos(blocker, nanos);
    }

    @Override
    public void unpark(PlatformTask task) {
        delegate.unpark(task);
    }

    @Override
    public void spinPause() {
        delegate.spinPause();
    }

    @Override
    public void spinLoads(int loads) {
        delegate.spinLoads(loads);
    }

    @Override
    public void lineAccess(Object line, boolean write) {
        delegate.lineAccess(line, write);
    }

    @Override
    public void yieldCpu() {
        delegate.yieldCpu();
    }

    @Override
    public long nanoTime() {
        return delegate.nanoTime();
    }

    @Override
    public boolean interrupted() {
        return delegate.interrupted();
    }

    @Override
    public boolean isInterrupted() {
        return delegate.isInterrupted();
    }

    @Override
    public void interrupt(PlatformTask task) {
        delegate.interrupt(task);
    }
}
