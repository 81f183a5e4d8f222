package io.taskscratch.rcu;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings of an {@link Rcu} domain; immutable, built with the {@code with...} methods from
 * {@link #defaults()}.
 *
 * @param stallTimeout   how long a writer waits on one reader before it reports a stall, and
 *                       then again every such interval while the reader stays
 * @param stallListener  receives stall and exited-reader reports; called on the writer's thread
 * @param callbackErrors receives exceptions thrown by {@link Rcu#callRcu} callbacks; called on
 *                       the callback thread, which then goes on with the next callback
 */
public record RcuOptions(Duration stallTimeout, Consumer<StallReport> stallListener,
                         Consumer<Throwable> callbackErrors) {
    private static final System.Logger LOG = System.getLogger(Rcu.class.getName());

    /** Stall timeout of the defaults: 10 s (the kernel's RCU CPU stall timeout is 21 s). */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(10);

    /** Validates the settings. */
    public RcuOptions {
        Objects.requireNonNull(stallTimeout, "stallTimeout");
        Objects.requireNonNull(stallListener, "stallListener");
        Objects.requireNonNull(callbackErrors, "callbackErrors");
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stallTimeout must be positive, was " + stallTimeout);
        }
    }

    /** 10 s stall timeout; reports and callback errors go to the {@code io.taskscratch.rcu.Rcu} system logger. */
    public static RcuOptions defaults() {
        return new RcuOptions(DEFAULT_STALL_TIMEOUT,
                r -> LOG.log(System.Logger.Level.WARNING, r.toString()),
                t -> LOG.log(System.Logger.Level.ERROR, "rcu callback failed", t));
    }

    /** A copy with another stall timeout. */
    public RcuOptions withStallTimeout(Duration timeout) {
        return new RcuOptions(timeout, stallListener, callbackErrors);
    }

    /** A copy with another stall listener. */
    public RcuOptions withStallListener(Consumer<StallReport> listener) {
        return new RcuOptions(stallTimeout, listener, callbackErrors);
    }

    /** A copy with another handler for exceptions thrown by callbacks. */
    public RcuOptions withCallbackErrors(Consumer<Throwable> handler) {
        return new RcuOptions(stallTimeout, stallListener, handler);
    }
}
