package io.taskscratch;

/**
 * The Linux error codes taskscratch reports, with the kernel's numeric values so a
 * simulated map and the real kernel can be compared code for code.
 */
public enum Errno {
    /** Operation not permitted. */
    EPERM(1),
    /** No such file or directory; for task storage: no such task, or no such element. */
    ENOENT(2),
    /** Bad file descriptor: the key is not a task handle. */
    EBADF(9),
    /** Try again; mlock's answer when RLIMIT_MEMLOCK is exhausted. */
    EAGAIN(11),
    /** Out of memory. */
    ENOMEM(12),
    /** Bad address: the user memory is unmapped, read-only, or its range overflows. */
    EFAULT(14),
    /** Device or resource busy. */
    EBUSY(16),
    /** File exists: NOEXIST update on an existing element, or a duplicate key name. */
    EEXIST(17),
    /** Invalid argument. */
    EINVAL(22),
    /** Too many open files: no fd number left for a task fd. */
    EMFILE(24),
    /** No space left: the key table is full. */
    ENOSPC(28),
    /** Argument list too long: a value or key larger than allowed. */
    E2BIG(7),
    /** Operation not supported, for example a uptr struct that crosses a page boundary. */
    EOPNOTSUPP(95),
    /** Resource deadlock would occur. */
    EDEADLK(35),
    /** Timer expired. */
    ETIMEDOUT(110);

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    /** The kernel's positive error number, for example 22 for {@link #EINVAL}. */
    public int code() {
        return code;
    }
}
