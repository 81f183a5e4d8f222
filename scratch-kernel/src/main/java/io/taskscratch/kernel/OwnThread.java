package io.taskscratch.kernel;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The own-process guard: a pidfd may be registered only if it names a live thread of this
 * process. As root the kernel would accept any task's pidfd and then write that task's scheduling
 * state into our memory.
 *
 * <p>{@code /proc/self/fdinfo/<fd>} of a pidfd has a {@code Pid:} line (-1 once the task is gone);
 * the thread belongs to us iff {@code /proc/<getpid()>/task/<tid>} exists. The codes agree with the
 * kernel's where the kernel has a rule (not an open fd or not a pidfd: EBADF; exited task: ENOENT)
 * and add EPERM for a foreign task.
 */
final class OwnThread {
    private OwnThread() {
    }

    /**
     * Checks {@code pidfd}.
     *
     * @param who how messages name the task
     * @throws ScratchException EBADF, ENOENT or EPERM as above
     */
    static void check(int pidfd, String who) {
        int tid = pidOf(pidfd, who);
        if (tid <= 0) {
            throw new ScratchException(Errno.ENOENT, "pidfd " + pidfd + " of " + who + ": the task has exited");
        }
        int pid = Sys.getpid();
        if (!Files.exists(Path.of("/proc/" + pid + "/task/" + tid))) {
            throw new ScratchException(Errno.EPERM, "pidfd " + pidfd + " of " + who + ": task " + tid
                    + " is not a thread of this process (" + pid + "); the kernel would write its state into our memory");
        }
    }

    /** The {@code Pid:} of a pidfd's fdinfo (-1 for an exited task). @throws ScratchException EBADF if not a pidfd */
    private static int pidOf(int fd, String who) {
        String info;
        try {
            info = Files.readString(Path.of("/proc/self/fdinfo/" + fd));
        } catch (NoSuchFileException e) {
            throw new ScratchException(Errno.EBADF, "fd " + fd + " of " + who + ": not an open file descriptor");
        } catch (IOException e) {
            throw new ScratchException(Errno.EBADF, "fd " + fd + " of " + who + ": /proc/self/fdinfo unreadable: " + e.getMessage(), e);
        }
        for (String line : info.split("\n")) {
            if (line.startsWith("Pid:")) {
                return Integer.parseInt(line.substring(4).trim());
            }
        }
        throw new ScratchException(Errno.EBADF, "fd " + fd + " of " + who + ": not a pidfd");
    }
}
