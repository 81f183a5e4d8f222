package io.taskscratch.platform;

/**
 * The small set of scheduling primitives a synchronizer needs, so the same lock code runs on
 * real threads ({@link NativePlatform}) and inside the deterministic scheduler model
 * (scheduler-sim's simulated platform, where every call is a point at which the model may
 * preempt the caller).
 *
 * <p>Semantics follow {@link java.util.concurrent.locks.LockSupport}: {@link #park} may
 * return spuriously, and an {@link #unpark} that precedes a park makes that park return at once
 * (one permit, not counted).
 */
public interface Platform {
    /** The task calling this method. */
    PlatformTask currentTask();

    /** Blocks the current task until unparked, interrupted, or spuriously. */
    void park(Object blocker);

    /** Like {@link #park} but returns after at most {@code nanos} nanoseconds. */
    void parkNanos(Object blocker, long nanos);

    /** Makes {@code task}'s permit available, waking it if it is parked. */
    void unpark(PlatformTask task);

    /** One iteration of a spin-wait loop (PAUSE natively; a small cost in the model). */
    void spinPause();

    /**
     * Accounts for {@code loads} polls of a shared word that the caller's spin loop made since its
     * last platform call (a spin loop that pauses only every few hundred polls, as HotSpot's monitor
     * spin does). Natively nothing: the loads are the caller's own code. In the scheduler model
     * the polls cost CPU time, and the call is where the model may preempt the spinner and let
     * the word change.
     *
     * @param loads polls since the last call, &ge; 0
     */
    default void spinLoads(int loads) {
    }

    /**
     * Accounts for an access the caller is about to make to a shared word that other tasks also
     * access, such as a lock word: a read ({@code write} false) or a store, CAS or atomic update
     * ({@code true}). Natively nothing: the hardware moves the word's cache line itself. In the
     * scheduler model the access costs a cache-line transfer when the line must first come from
     * another CPU (a read of a line another CPU wrote last, a write of a line another CPU holds),
     * and the call is where the model may preempt the caller; the caller makes the access after
     * the call returns, when the line has arrived.
     *
     * @param line  identifies the cache line (the object that holds the word)
     * @param write whether the access writes the line
     */
    default void lineAccess(Object line, boolean write) {
    }

    /** Gives up the CPU to another runnable task, if any. */
    void yieldCpu();

    /** Monotonic time in nanoseconds (virtual time in the model). */
    long nanoTime();

    /** Returns and clears the current task's interrupt status. */
    boolean interrupted();

    /** Whether the current task's interrupt status is set, without clearing it. */
    boolean isInterrupted();

    /**
     * Sets {@code task}'s interrupt status, waking it if it is parked (as {@link Thread#interrupt()}).
     * A synchronizer that had to clear the caller's status while waiting uninterruptibly uses
     * this to set it again ({@code interrupt(currentTask())}).
     *
     * @param task a task of this platform
     */
    void interrupt(PlatformTask task);
}
