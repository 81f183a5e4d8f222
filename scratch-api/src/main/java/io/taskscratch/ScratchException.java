package io.taskscratch;

import java.util.Objects;

/**
 * The one exception type taskscratch throws for a refused operation: it carries the
 * kernel-style {@link Errno} the same operation would fail with on Linux, and a message that
 * names the argument (or limit) at fault, e.g. {@code EINVAL: update flags 0x8: must be one
 * of ANY(0), NOEXIST(1), EXIST(2), optionally with F_LOCK(4)}.
 *
 * <p>A refused operation changes nothing: callers can rely on the state being exactly as
 * before the call.
 */
public class ScratchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Errno errno;

    /**
     * @param errno   the error code
     * @param message what was wrong, naming the culprit; the code is prefixed automatically
     */
    public ScratchException(Errno errno, String message) {
        super(Objects.requireNonNull(errno, "errno") + ": " + message);
        this.errno = errno;
    }

    /**
     * @param errno   the error code
     * @param message what was wrong, naming the culprit
     * @param cause   the underlying failure
     */
    public ScratchException(Errno errno, String message, Throwable cause) {
        super(Objects.requireNonNull(errno, "errno") + ": " + message, cause);
        this.errno = errno;
    }

    /** The error code, as the kernel would return it (negated) from the same operation. */
    public Errno errno() {
        return errno;
    }
}
