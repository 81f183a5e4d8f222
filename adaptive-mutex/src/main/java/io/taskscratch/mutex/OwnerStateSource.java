package io.taskscratch.mutex;

import io.taskscratch.platform.PlatformTask;

/**
 * Where {@link AdaptiveMutex} learns whether a lock owner is running, and whether the spinner
 * itself has been asked to give up its CPU.
 *
 * <p>Implementations read the owner's scratch region (pinned or lossy), an rseq-style hint, or
 * nothing at all ({@link #none()}). The mutex brackets every {@link #ownerState} call with
 * {@link #enterRead()} / {@link #exitRead(long)} so an implementation can read the owner's
 * region inside an RCU read-side section: the owner may exit and its region be recycled while
 * a waiter is looking at it. Calls come from the spin loop, so they must not block or allocate.
 */
public interface OwnerStateSource {
    /**
     * The scheduling state of {@code owner}, read inside {@link #enterRead()}/{@link #exitRead}.
     *
     * @param owner the task that owns the lock (never null)
     * @return RUNNING, NOT_RUNNING or UNKNOWN (never null)
     */
    OwnerState ownerState(PlatformTask owner);

    /**
     * Whether the spinning task {@code self} should stop spinning and give up its CPU: the
     * user-space counterpart of the kernel's {@code need_resched()} (for example, its region
     * says it was preempted or its time slice is used up). Default: never.
     *
     * @param self the spinning task
     * @return true to stop spinning now
     */
    default boolean shouldYield(PlatformTask self) {
        return false;
    }

    /**
     * Called once per slow-path acquisition by the acquiring task, before it spins or queues (never
     * on the fast path): a source can set up what it needs for {@code self} lazily, e.g. the
     * shared kernel source ({@code KernelOwnerState.shared()}) registers the thread. It must be cheap
     * when there is nothing to do and must not throw. Default: nothing.
     *
     * @param self the task about to wait for the lock
     */
    default void prepare(PlatformTask self) {
    }

    /**
     * Begins a read-side section around {@link #ownerState}. Default: nothing.
     *
     * @return a token passed back to {@link #exitRead(long)} (e.g. an SRCU index)
     */
    default long enterRead() {
        return 0L;
    }

    /**
     * Ends the read-side section begun by {@link #enterRead()}.
     *
     * @param token the value {@link #enterRead()} returned
     */
    default void exitRead(long token) {
    }

    /** Short name for {@code toString} and metrics, e.g. {@code pinned}, {@code lossy-10%}, {@code none}. */
    String name();

    /**
     * Whether this source can ever answer anything but UNKNOWN. The mutex uses it only to
     * describe itself; its decisions follow the answers.
     *
     * @return false for {@link #none()}
     */
    default boolean informative() {
        return true;
    }

    /**
     * The source that knows nothing: every owner is UNKNOWN, so the mutex is a time-bounded
     * spin-then-park lock (see {@link SpinTuning#unknownSpinNanos()}).
     *
     * @return the shared instance, named {@code none}
     */
    static OwnerStateSource none() {
        return NoOwnerState.INSTANCE;
    }
}
