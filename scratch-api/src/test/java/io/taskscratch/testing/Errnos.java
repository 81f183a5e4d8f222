package io.taskscratch.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import org.junit.jupiter.api.function.Executable;

/** Assertions for refused operations. */
public final class Errnos {
    private Errnos() {
    }

    /** Asserts that {@code op} throws a {@link ScratchException} with {@code errno} whose message names {@code culprit}. */
    public static ScratchException assertErrno(Errno errno, String culprit, Executable op) {
        ScratchException e = assertThrows(ScratchException.class, op);
        assertEquals(errno, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains(culprit), () -> "message should name " + culprit + ": " + e.getMessage());
        return e;
    }
}
