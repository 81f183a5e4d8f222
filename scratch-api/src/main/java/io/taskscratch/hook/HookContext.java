package io.taskscratch.hook;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.map.MapValue;
import io.taskscratch.map.StorageElement;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.map.ValueType;
import io.taskscratch.platform.ForwardingPlatform;
import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.region.UptrTarget;
import io.taskscratch.region.UserMemory;
import io.taskscratch.task.TaskHandle;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.Lock;

/**
 * What a running hook sees: the event's arguments and the runtime's helpers, with the checks the
 * BPF verifier would make. One context per thread and registry, reused for every event (firing
 * does not allocate); valid only during {@link HookProgram#run}.
 *
 * <p>Rules, each refused with a {@link ScratchException} whose message names the hook (the
 * refused operation changes nothing; the hook is detached after it returns, even if it caught
 * the exception, and {@link HookLink#failure()} holds the first refusal):
 * <ul>
 *   <li>a non-sleepable hook must not block: {@link #sleep}, {@link #lock} and the
 *       {@link #platform()}'s park/yield refuse with {@code EINVAL} (the verifier's "helper call
 *       might sleep in a non-sleepable prog");</li>
 *   <li>only user space sets a uptr: a store overlapping a uptr field of a map value
 *       ({@link #valueStoreInt}) is refused with {@code EINVAL} (the verifier's "store to uptr
 *       disallowed");</li>
 *   <li>accesses stay inside their object: value and user-memory accesses outside the value or
 *       the uptr target, misaligned user-memory accesses, or accesses through a NULL uptr are
 *       refused with {@code EFAULT}, naming the offset;</li>
 *   <li>a hook must return with no lock taken through {@link #lock}/{@link #tryLock} and no read
 *       section entered with {@link #readLock} still held: the runtime releases them and detaches
 *       the hook with {@code EINVAL} (the verifier's "bpf_spin_lock is missing unlock" / "rcu read
 *       lock region is not closed");</li>
 *   <li>a hook reads only its tracepoint's arguments ({@code EINVAL}, "invalid bpf_context
 *       access"), and only the maps it declared ({@code EINVAL}).</li>
 * </ul>
 * The verifier itself reports most of these as {@code EACCES}; {@link Errno} has no EACCES and
 * the map already refuses uptr stores with EINVAL, so the runtime uses EINVAL for rule breaks and
 * EFAULT for bad memory accesses.
 */
public final class HookContext {
    private static final int MAX_LOCKS = 8;
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final TracepointRegistry registry;
    private final Platform guardedPlatform;

    // Event, written by the dispatcher before each hook run (plain: same thread).
    Tracepoint tracepoint;
    int cpu;
    long nowNs;
    TaskHandle prev;
    TaskHandle next;
    boolean preempt;
    TaskHandle task;
    TaskHandle waker;
    int fromCpu;
    int toCpu;
    TaskHandle parent;
    TaskHandle child;

    /** Whether this thread is dispatching an event of this registry (recursion guard). */
    boolean dispatching;

    // Per hook run.
    private HookLink hook;
    private ScratchException violation;
    private final Lock[] locks = new Lock[MAX_LOCKS];
    private int heldLocks;
    private final int[] readDepth = new int[Flavor.values().length];

    HookContext(TracepointRegistry registry) {
        this.registry = registry;
        this.guardedPlatform = new GuardedPlatform(registry.platform());
    }

    // ---- event ---------------------------------------------------------------------------

    /** The tracepoint that fired. */
    public Tracepoint tracepoint() {
        return tracepoint;
    }

    /** The running hook. */
    public HookLink hook() {
        return hook;
    }

    /** The CPU of the event (for sched_migrate_task the destination; -1 if the source did not say). */
    public int cpu() {
        return cpu;
    }

    /** The event's time in the firing world's clock (virtual time in the scheduler model). */
    public long nowNs() {
        return nowNs;
    }

    /** sched_switch: the task switched out, or null if the CPU was idle. */
    public TaskHandle prev() {
        arg(Tracepoint.Arg.PREV, "prev");
        return prev;
    }

    /** sched_switch: the task switched in, or null if the CPU goes idle. */
    public TaskHandle next() {
        arg(Tracepoint.Arg.NEXT, "next");
        return next;
    }

    /** sched_switch: whether {@code prev} was switched out involuntarily. */
    public boolean preempt() {
        arg(Tracepoint.Arg.PREEMPT, "preempt");
        return preempt;
    }

    /** sched_wakeup, sched_migrate_task, task_exit: the task concerned. */
    public TaskHandle task() {
        arg(Tracepoint.Arg.TASK, "task");
        return task;
    }

    /** sched_wakeup: the waking task, or null for a timeout. */
    public TaskHandle waker() {
        arg(Tracepoint.Arg.WAKER, "waker");
        return waker;
    }

    /** sched_migrate_task: the CPU the task leaves. */
    public int fromCpu() {
        arg(Tracepoint.Arg.FROM_CPU, "fromCpu");
        return fromCpu;
    }

    /** sched_migrate_task: the CPU the task moves to. */
    public int toCpu() {
        arg(Tracepoint.Arg.TO_CPU, "toCpu");
        return toCpu;
    }

    /** task_fork: the forking task, or null. */
    public TaskHandle parent() {
        arg(Tracepoint.Arg.PARENT, "parent");
        return parent;
    }

    /** task_fork: the new task. */
    public TaskHandle child() {
        arg(Tracepoint.Arg.CHILD, "child");
        return child;
    }

    private void arg(Tracepoint.Arg a, String name) {
        if (!tracepoint.has(a)) {
            throw refuse(Errno.EINVAL, "reads argument " + name + ", which " + tracepoint
                    + " does not have (invalid context access)");
        }
    }

    // ---- maps ----------------------------------------------------------------------------

    /** {@code bpf_task_storage_get(map, task, NULL, flags)}; null when there is no element (check it). */
    public StorageElement taskStorageGet(TaskStorageMap map, TaskHandle task, long flags) {
        checkMap(map);
        return map.taskStorageGet(task, flags);
    }

    /** {@code bpf_task_storage_get(map, task, init, flags)}; uptr fields of {@code init} are ignored. */
    public StorageElement taskStorageGet(TaskStorageMap map, TaskHandle task, long flags, MapValue init) {
        checkMap(map);
        return map.taskStorageGet(task, flags, init);
    }

    private void checkMap(TaskStorageMap map) {
        if (map == null || !hook.mayUse(map)) {
            throw refuse(Errno.EINVAL, "uses map " + (map == null ? "null" : "\"" + map.name() + "\"")
                    + ", which it did not declare in usedMaps()");
        }
        if (map.rcu() != registry.rcu()) {
            // The map's grace periods would not wait for this hook's read section.
            throw refuse(Errno.EINVAL, "uses map \"" + map.name() + "\" of rcu domain \"" + map.rcu().name()
                    + "\" but runs in domain \"" + registry.rcu().name() + "\"");
        }
    }

    /**
     * Reads 4 bytes of a map value at {@code offset}.
     *
     * @throws ScratchException EFAULT outside the value
     */
    public int valueLoadInt(StorageElement v, int offset) {
        checkValueBounds(v, offset, 4);
        return v.getInt(offset);
    }

    /**
     * Stores 4 bytes into a map value at {@code offset}.
     *
     * @throws ScratchException EFAULT outside the value; EINVAL when the store overlaps a uptr
     *                          field (only user space registers memory)
     */
    public void valueStoreInt(StorageElement v, int offset, int value) {
        checkValueBounds(v, offset, 4);
        ValueType.Field f = v.map().spec().value().uptrOverlapping(offset, 4);
        if (f != null) {
            throw refuse(Errno.EINVAL, "stores to uptr field \"" + f.name() + "\" (value offset " + offset
                    + ") of map \"" + v.map().name() + "\": only user space may register memory");
        }
        v.putInt(offset, value);
    }

    private void checkValueBounds(StorageElement v, int offset, int width) {
        int size = v.map().spec().value().size();
        if (offset < 0 || offset > size - width) {
            throw refuse(Errno.EFAULT, "accesses value offset " + offset + " size " + width + " outside the "
                    + size + "-byte value of map \"" + v.map().name() + "\"");
        }
    }

    /** The target of uptr field {@code field} of {@code v}, or null when it is NULL (check it). */
    public UptrTarget uptr(StorageElement v, String field) {
        try {
            return v.uptr(field);
        } catch (IllegalArgumentException e) {
            throw refuse(Errno.EINVAL, "reads uptr field \"" + field + "\" which map \"" + v.map().name() + "\" lacks");
        }
    }

    /** The uptr target of {@code field} if it is a {@link ScratchRegion}, else null. */
    public ScratchRegion region(StorageElement v, String field) {
        return uptr(v, field) instanceof ScratchRegion r ? r : null;
    }

    /**
     * Reads 4 bytes of user memory at {@code offset} (opaque: one untorn load).
     *
     * @throws ScratchException EFAULT for a NULL target or an access outside it
     */
    public int loadInt(UptrTarget target, long offset) {
        return (int) INT.getOpaque(user(target, offset, 4), offset);
    }

    /**
     * Reads 8 bytes of user memory at {@code offset} (opaque: one untorn load).
     *
     * @throws ScratchException EFAULT for a NULL target or an access outside it
     */
    public long loadLong(UptrTarget target, long offset) {
        return (long) LONG.getOpaque(user(target, offset, 8), offset);
    }

    /**
     * Stores 4 bytes of user memory at {@code offset} (opaque: one untorn store; use a
     * {@link io.taskscratch.writer.RegionWriter} for seqcount-consistent header updates).
     *
     * @throws ScratchException EFAULT for a NULL target or an access outside it
     */
    public void storeInt(UptrTarget target, long offset, int value) {
        INT.setOpaque(user(target, offset, 4), offset, value);
    }

    /**
     * Stores 8 bytes of user memory at {@code offset} (opaque: one untorn store).
     *
     * @throws ScratchException EFAULT for a NULL target or an access outside it
     */
    public void storeLong(UptrTarget target, long offset, long value) {
        LONG.setOpaque(user(target, offset, 8), offset, value);
    }

    private MemorySegment user(UptrTarget target, long offset, int width) {
        if (target == null) {
            throw refuse(Errno.EFAULT, "dereferences a NULL uptr at offset " + offset + " (null-check uptr())");
        }
        long size = target instanceof ScratchRegion r ? r.layout().regionSize() : ((UserMemory) target).byteSize();
        if (offset < 0 || offset > size - width) {
            throw refuse(Errno.EFAULT, "accesses offset " + offset + " size " + width + " outside the " + size
                    + "-byte " + target);
        }
        if (((target.address() + offset) & (width - 1)) != 0) {
            throw refuse(Errno.EFAULT, "accesses offset " + offset + " size " + width + " of " + target
                    + " misaligned (accesses must be naturally aligned)");
        }
        return target.segment();
    }

    // ---- blocking, locks, read sections --------------------------------------------------

    /**
     * Sleeps about {@code nanos} through the registry's platform. Sleepable hooks only.
     *
     * @throws ScratchException EINVAL in a non-sleepable hook
     */
    public void sleep(long nanos) {
        mightSleep("sleep(" + nanos + ")");
        registry.platform().parkNanos(this, nanos);
    }

    /**
     * Takes {@code lock}, blocking if needed; the hook must release it with {@link #unlock}
     * before returning. Sleepable hooks only (use {@link #tryLock} otherwise).
     *
     * @throws ScratchException EINVAL in a non-sleepable hook; E2BIG when the hook already holds
     *                          {@value #MAX_LOCKS} locks
     */
    public void lock(Lock lock) {
        mightSleep("lock(" + lock + ")");
        checkLockRoom(lock);
        lock.lock();
        locks[heldLocks++] = lock;
    }

    /**
     * Takes {@code lock} if it is free, without blocking (allowed in any hook).
     *
     * @return whether the lock was taken; then the hook must {@link #unlock} it before returning
     * @throws ScratchException E2BIG when the hook already holds {@value #MAX_LOCKS} locks
     */
    public boolean tryLock(Lock lock) {
        checkLockRoom(lock);
        if (!lock.tryLock()) {
            return false;
        }
        locks[heldLocks++] = lock;
        return true;
    }

    /**
     * Releases a lock taken with {@link #lock} or {@link #tryLock}.
     *
     * @throws ScratchException EINVAL if the hook does not hold it through this context
     */
    public void unlock(Lock lock) {
        for (int i = heldLocks - 1; i >= 0; i--) {
            if (locks[i] == lock) {
                System.arraycopy(locks, i + 1, locks, i, heldLocks - i - 1);
                locks[--heldLocks] = null;
                lock.unlock();
                return;
            }
        }
        throw refuse(Errno.EINVAL, "unlocks " + lock + ", which it did not take through its context");
    }

    private void checkLockRoom(Lock lock) {
        if (heldLocks == MAX_LOCKS) {
            throw refuse(Errno.E2BIG, "takes " + lock + " while holding " + MAX_LOCKS + " locks already");
        }
    }

    /** Enters a read section of the registry's rcu domain ({@code bpf_rcu_read_lock}); leave it with {@link #readUnlock}. */
    public void readLock(Flavor f) {
        registry.rcu().readLock(f);
        readDepth[f.ordinal()]++;
    }

    /**
     * Leaves a read section entered with {@link #readLock}.
     *
     * @throws ScratchException EINVAL without a matching {@link #readLock} in this hook run
     */
    public void readUnlock(Flavor f) {
        if (readDepth[f.ordinal()] == 0) {
            throw refuse(Errno.EINVAL, "calls readUnlock(" + f + ") without a matching readLock");
        }
        readDepth[f.ordinal()]--;
        registry.rcu().readUnlock(f);
    }

    /** The registry's rcu domain (sections entered directly on it are not tracked; use {@link #readLock}). */
    public Rcu rcu() {
        return registry.rcu();
    }

    /**
     * The registry's platform, guarded: in a non-sleepable hook {@code park}, {@code parkNanos}
     * and {@code yieldCpu} refuse with EINVAL; the rest is passed through.
     */
    public Platform platform() {
        return guardedPlatform;
    }

    private void mightSleep(String op) {
        if (!hook.sleepable) {
            throw refuse(Errno.EINVAL, "calls " + op + ", which might sleep, in a non-sleepable hook"
                    + " (attach it sleepable)");
        }
    }

    /** Records the first refusal of this run (it detaches the hook) and returns it for throwing. */
    private ScratchException refuse(Errno errno, String what) {
        ScratchException e = new ScratchException(errno, hook + " " + what);
        if (violation == null) {
            violation = e;
        }
        return e;
    }

    // ---- dispatcher side -----------------------------------------------------------------

    void begin(HookLink h) {
        hook = h;
        violation = null;
    }

    /**
     * Ends a hook run: releases what the hook left held and returns the reason to detach it
     * (the first refusal, else a leak, else {@code thrown}), or null if it behaved.
     */
    Throwable end(Throwable thrown) {
        Throwable problem = violation != null ? violation : thrown;
        if (heldLocks > 0) {
            String held = Arrays.toString(Arrays.copyOf(locks, heldLocks));
            while (heldLocks > 0) {
                Lock l = locks[--heldLocks];
                locks[heldLocks] = null;
                l.unlock();
            }
            problem = firstOf(problem, Errno.EINVAL, "returned holding " + held + " (released by the runtime)");
        }
        for (Flavor f : FLAVORS) {
            int d = readDepth[f.ordinal()];
            if (d > 0) {
                for (int i = 0; i < d; i++) {
                    registry.rcu().readUnlock(f);
                }
                readDepth[f.ordinal()] = 0;
                problem = firstOf(problem, Errno.EINVAL, "returned inside " + d + " " + f
                        + " read section(s) (left by the runtime)");
            }
        }
        hook = null;
        violation = null;
        return problem;
    }

    private static final Flavor[] FLAVORS = Flavor.values();

    private Throwable firstOf(Throwable problem, Errno errno, String what) {
        return problem != null ? problem : new ScratchException(errno, hook + " " + what);
    }

    /** The platform as a hook sees it: blocking calls refused in non-sleepable hooks. */
    private final class GuardedPlatform extends ForwardingPlatform {
        GuardedPlatform(Platform delegate) {
            super(delegate);
        }

        @Override
        public void park(Object blocker) {
            mightSleep("platform().park");
            super.park(blocker);
        }

        @Override
        public void parkNanos(Object blocker, long nanos) {
            mightSleep("platform().parkNanos(" + nanos + ")");
            super.parkNanos(blocker, nanos);
        }

        @Override
        public void yieldCpu() {
            mightSleep("platform().yieldCpu");
            super.yieldCpu();
        }
    }
}
