package io.taskscratch.mutex;

import io.taskscratch.platform.PlatformTask;
import io.taskscratch.region.ScratchRegion;

/**
 * Where {@link AdaptiveMutex} learns whether a lock owner is running, and whether the spinner
 * itself has been asked to give up its CPU.
 *
 * <p>Implementations read the owner's scratch region (pinned or lossy), an rseq-style hint, or
 * nothing at all ({@link #none()}). A source whose answer is a region's {@code on_cpu} says so
 * through {@link #regionOf}: the mutex then reads {@code region.onCpu()} itself, one load per poll
 * (the owner publishes its region beside the owner field when it acquires on the slow path; the
 * spinner looks up other owners' regions once per owner, not per poll). Otherwise the spinner
 * calls {@link #ownerState} on every poll.
 *
 * <p>Lifetime. The mutex brackets each <em>spin episode</em> (not each poll) with
 * {@link #enterRead()} / {@link #exitRead(long)}, so an implementation can keep regions valid
 * inside an RCU read-side section: a region that an owner unpublishes (the mutex clears it before
 * the release that frees the lock word) and that is freed only after a grace period is never
 * read after it was freed. Calls come from the spin loop, so they must not block or allocate.
 */
public interface OwnerStateSource {
    /**
     * The scheduling state of {@code owner}, read inside {@link #enterRead()}/{@link #exitRead}
     * when {@link #regionOf} has no region for it.
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
     * The region whose {@code on_cpu} says whether {@code task} runs, or null if this source has
     * none for it (then the mutex asks {@link #ownerState}). Called on slow paths only: by an
     * acquiring task for itself (the region it publishes beside the owner field) and by a spinner
     * once per owner it spins on, inside its read-side section. The region must stay valid while
     * the task is registered; it may be freed only after a grace period of the domain that
     * {@link #enterRead()} enters. Default: null.
     *
     * @param task a task (never null)
     * @return its region, or null
     */
    default ScratchRegion regionOf(PlatformTask task) {
        return null;
    }

    /**
     * Begins a read-side section around one spin episode. Default: nothing.
     *
     * @return a token passed back to {@link #exitRead(long)} (e.g. an SRCU index)
     */
    default long enterRead() {
        return 0L;
    }

    /**
     * Ends the read-side section begun by {@link #enterRead()}, on the same thread.
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
