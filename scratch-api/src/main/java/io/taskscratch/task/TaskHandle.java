package io.taskscratch.task;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.internal.os.Libc;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A handle to a task, like a pidfd: for a Java thread ({@link #current()}, {@link #of(Thread)};
 * the OS thread id comes from {@code gettid}) or for a simulated task of the scheduler model
 * ({@link #simulated(String)}). Several handles may refer to one task ({@link #dup()}); closing
 * a handle does not affect the task.
 *
 * <p>Errors, as {@code bpf(2)} reports them for a task-storage key: using a closed handle, or an
 * int that is not an open task fd, is {@code EBADF}; a task that has exited is {@code ENOENT}. A
 * Java thread counts as exited as soon as {@link Thread#isAlive()} is false, before the reaper
 * has run.
 *
 * <p>Task fds ({@link #fd()}) are real file descriptors of this process, so their numbers never
 * name another open file: a Java thread's is {@code pidfd_open(tid, PIDFD_THREAD)} (the key the
 * kernel's task storage takes), a simulated task's (or a thread's when no pidfd can be opened)
 * an fd of {@code /dev/null} that only reserves the number. Closing the handle closes it.
 *
 * <p>Task exit releases the task's storage in every map (maps attach exit hooks). Java has no
 * thread-exit callback, so a daemon reaper checks {@link Thread#isAlive()} of registered threads
 * every {@value #REAP_INTERVAL_MS} ms; {@link #reap()} does the same at once. Simulated tasks
 * exit with {@link #exit()}.
 */
public final class TaskHandle implements AutoCloseable {
    /** How often the reaper thread looks for exited Java threads. */
    public static final long REAP_INTERVAL_MS = 50;
    /** Simulated tasks get ids above Linux's largest {@code pid_max}, so they never equal a real tid. */
    static final int FIRST_SIMULATED_TID = 4_194_304 + 1;

    /** What kind of task a handle refers to. */
    public enum Kind {
        /** A Java platform thread. */
        JAVA_THREAD,
        /** A task of the scheduler model. */
        SIMULATED
    }

    private static final Map<Thread, Task> JAVA_TASKS = new ConcurrentHashMap<>();
    private static final Map<Integer, TaskHandle> FDS = new ConcurrentHashMap<>();
    /** {@link #fd} before the first {@link #fd()} call, and after a failed pidfd_open. */
    private static final int NO_FD = -1;
    private static final AtomicInteger NEXT_SIM_TID = new AtomicInteger(FIRST_SIMULATED_TID);
    private static final AtomicLong NEXT_TASK_ID = new AtomicLong(1);
    private static volatile Thread reaper;

    private final Task task;
    private volatile boolean open = true;
    private int fd = NO_FD; // guarded by this

    private TaskHandle(Task task) {
        this.task = task;
    }

    /** The calling Java thread's task. */
    public static TaskHandle current() {
        Thread self = Thread.currentThread();
        Task t = JAVA_TASKS.computeIfAbsent(self, th -> new Task(Kind.JAVA_THREAD, th, th.getName(), Libc.gettid()));
        if (t.tid == 0) {
            t.tid = Libc.gettid();
        }
        startReaper();
        return new TaskHandle(t);
    }

    /**
     * A handle to a Java thread's task. Its OS tid is known once the thread itself has called
     * {@link #current()} (gettid only reports the caller's id); until then {@link #osTid()} is 0.
     *
     * @throws ScratchException ENOENT if the thread has exited (or never started)
     */
    public static TaskHandle of(Thread thread) {
        Objects.requireNonNull(thread, "thread");
        if (thread == Thread.currentThread()) {
            return current();
        }
        Task t = JAVA_TASKS.get(thread);
        if (t == null) {
            if (!thread.isAlive()) {
                throw new ScratchException(Errno.ENOENT, "thread \"" + thread.getName() + "\": has exited or never started");
            }
            t = JAVA_TASKS.computeIfAbsent(thread, th -> new Task(Kind.JAVA_THREAD, th, th.getName(), 0));
            startReaper();
        }
        if (t.exited) {
            throw new ScratchException(Errno.ENOENT, "thread \"" + thread.getName() + "\": has exited");
        }
        return new TaskHandle(t);
    }

    /** Creates a new simulated task (for the scheduler model) and returns a handle to it. */
    public static TaskHandle simulated(String name) {
        Objects.requireNonNull(name, "name");
        return new TaskHandle(new Task(Kind.SIMULATED, null, name, NEXT_SIM_TID.getAndIncrement()));
    }

    /**
     * The handle behind a task fd from {@link #fd()} (the raw-int API mirroring {@code bpf(2)}).
     *
     * @throws ScratchException EBADF if {@code fd} is not an open task fd
     */
    public static TaskHandle fromFd(int fd) {
        TaskHandle h = FDS.get(fd);
        if (h == null) {
            throw new ScratchException(Errno.EBADF, "task fd " + fd + ": not an open task fd");
        }
        return h;
    }

    /**
     * Exits every registered Java thread's task whose thread has terminated, releasing its map
     * storage; the reaper thread calls this periodically.
     *
     * @return how many tasks exited
     */
    public static int reap() {
        int n = 0;
        for (Map.Entry<Thread, Task> e : JAVA_TASKS.entrySet()) {
            if (!e.getKey().isAlive() && JAVA_TASKS.remove(e.getKey(), e.getValue())) {
                e.getValue().exit();
                n++;
            }
        }
        return n;
    }

    private static void startReaper() {
        if (reaper != null) {
            return;
        }
        synchronized (TaskHandle.class) {
            if (reaper != null) {
                return;
            }
            Thread t = new Thread(() -> {
                while (true) {
                    try {
                        Thread.sleep(REAP_INTERVAL_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    reap();
                }
            }, "taskscratch-task-reaper");
            t.setDaemon(true);
            t.start();
            reaper = t;
        }
    }

    /** Another open handle to the same task. @throws ScratchException EBADF if this handle is closed */
    public TaskHandle dup() {
        checkOpen("handle");
        return new TaskHandle(task);
    }

    /**
     * An int task fd for this handle (opened on first call; closed with the handle), for the
     * raw-int map API: a real fd of this process (see the class comment).
     *
     * @throws ScratchException EBADF if the handle is closed; EMFILE if no fd can be opened
     */
    public synchronized int fd() {
        checkOpen("handle");
        if (fd < 0) {
            int opened = task.kind == Kind.JAVA_THREAD && task.tid != 0 ? Libc.pidfdOpen(task.tid, Libc.PIDFD_THREAD) : NO_FD;
            if (opened < 0) {
                opened = Libc.openDevNull();
            }
            if (opened < 0) {
                throw new ScratchException(Errno.EMFILE, "task fd for " + this + ": no fd number available (open(/dev/null)"
                        + " failed with errno " + -opened + ")");
            }
            fd = opened;
            FDS.put(fd, this);
        }
        return fd;
    }

    /** A process-unique id of the task (not of the handle); equal for handles of one task. */
    public long taskId() {
        return task.id;
    }

    /** The OS thread id ({@code gettid}), a synthetic id above {@code pid_max} for simulated tasks, 0 if not yet known. */
    public int osTid() {
        return task.tid;
    }

    /** The task's name (the thread name for Java threads). */
    public String name() {
        return task.name;
    }

    /** What kind of task this is. */
    public Kind kind() {
        return task.kind;
    }

    /** Whether the task has not exited (for a Java thread: and the thread is alive). */
    public boolean isAlive() {
        return !task.exited && (task.thread == null || task.thread.isAlive());
    }

    /** Whether this handle is still open. */
    public boolean isOpen() {
        return open;
    }

    /** Whether both handles refer to the same task. */
    public boolean sameTask(TaskHandle other) {
        return other != null && other.task == task;
    }

    /**
     * Checks that this handle may be used as a map key.
     *
     * @param argument how the caller names this handle in the error message
     * @throws ScratchException EBADF if the handle is closed, ENOENT if the task has exited
     */
    public void checkUsable(String argument) {
        checkOpen(argument);
        if (!isAlive()) {
            throw new ScratchException(Errno.ENOENT, argument + " " + this + ": task has exited");
        }
    }

    private void checkOpen(String argument) {
        if (!open) {
            throw new ScratchException(Errno.EBADF, argument + " " + this + ": handle is closed");
        }
    }

    /**
     * Makes a simulated task exit: its storage in every map is released at once.
     *
     * @throws ScratchException EPERM for a Java thread (it exits by terminating; see {@link #reap()}),
     *                          ENOENT if it already exited
     */
    public void exit() {
        if (task.kind == Kind.JAVA_THREAD) {
            throw new ScratchException(Errno.EPERM, "task " + this + ": a Java thread's task exits when the thread terminates");
        }
        if (!task.exit()) {
            throw new ScratchException(Errno.ENOENT, "task " + this + ": already exited");
        }
    }

    /**
     * Runs {@code hook} when the task exits (the kernel freeing {@code task->bpf_storage}). One
     * hook per owner; a second attach replaces the first.
     *
     * @throws ScratchException ENOENT if the task has already exited (the hook is not attached)
     */
    public void attachExitHook(Object owner, Runnable hook) {
        synchronized (task) {
            if (task.exited) {
                throw new ScratchException(Errno.ENOENT, "task " + this + ": task has exited");
            }
            task.hooks.put(owner, hook);
        }
    }

    /** Removes {@code owner}'s exit hook, if any. */
    public void detachExitHook(Object owner) {
        synchronized (task) {
            task.hooks.remove(owner);
        }
    }

    /** Closes this handle (and its fd); the task is unaffected. Idempotent. */
    @Override
    public synchronized void close() {
        open = false;
        if (fd >= 0) {
            FDS.remove(fd, this); // before the close: a reused number must never map to this handle
            Libc.close(fd);
            fd = NO_FD;
        }
    }

    @Override
    public String toString() {
        return name() + "(tid " + task.tid + ")";
    }

    /** The task itself; handles point to it. */
    private static final class Task {
        final long id = NEXT_TASK_ID.getAndIncrement();
        final Kind kind;
        /** The Java thread, or {@code null} for a simulated task. */
        final Thread thread;
        final String name;
        volatile int tid;
        volatile boolean exited;
        final Map<Object, Runnable> hooks = new LinkedHashMap<>();

        Task(Kind kind, Thread thread, String name, int tid) {
            this.kind = kind;
            this.thread = thread;
            this.name = name;
            this.tid = tid;
        }

        /** Marks the task exited and runs its hooks outside the lock; false if it had exited already. */
        boolean exit() {
            List<Runnable> run;
            synchronized (this) {
                if (exited) {
                    return false;
                }
                exited = true;
                run = new ArrayList<>(hooks.values());
                hooks.clear();
            }
            for (Runnable r : run) {
                r.run();
            }
            return true;
        }
    }
}
