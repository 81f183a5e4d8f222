package io.taskscratch.mutex.testing;

import io.taskscratch.mutex.OwnerState;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.platform.PlatformTask;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link OwnerStateSource} driven by hand: tests and demos set each task's state and
 * yield requests directly. Tasks never set are {@link OwnerState#UNKNOWN}. It also counts
 * read-side sections so a test can check that every {@link #enterRead()} was paired.
 */
public final class ManualOwnerStateSource implements OwnerStateSource {
    private final String name;
    private final Map<PlatformTask, OwnerState> states = new ConcurrentHashMap<>();
    private final Set<PlatformTask> yieldRequested = ConcurrentHashMap.newKeySet();
    private final AtomicLong entered = new AtomicLong();
    private final AtomicLong exited = new AtomicLong();

    /** @param name the name reported by {@link #name()} */
    public ManualOwnerStateSource(String name) {
        this.name = name;
    }

    /**
     * Sets what {@link #ownerState} answers for {@code task}.
     *
     * @param task  the task
     * @param state its state from now on
     */
    public void set(PlatformTask task, OwnerState state) {
        states.put(task, state);
    }

    /**
     * Makes {@link #shouldYield} answer {@code yield} for {@code task}.
     *
     * @param task  the spinning task
     * @param yield whether it should stop spinning
     */
    public void requestYield(PlatformTask task, boolean yield) {
        if (yield) {
            yieldRequested.add(task);
        } else {
            yieldRequested.remove(task);
        }
    }

    @Override
    public OwnerState ownerState(PlatformTask owner) {
        return states.getOrDefault(owner, OwnerState.UNKNOWN);
    }

    @Override
    public boolean shouldYield(PlatformTask self) {
        return yieldRequested.contains(self);
    }

    @Override
    public long enterRead() {
        return entered.incrementAndGet();
    }

    @Override
    public void exitRead(long token) {
        exited.incrementAndGet();
    }

    /** Number of read-side sections entered so far. */
    public long readsEntered() {
        return entered.get();
    }

    /** Number of read-side sections exited so far. */
    public long readsExited() {
        return exited.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "ManualOwnerStateSource[" + name + "]";
    }
}
