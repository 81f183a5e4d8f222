package io.taskscratch.map;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.internal.GracePeriods;
import io.taskscratch.internal.Pins;
import io.taskscratch.internal.os.Libc;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.region.UptrTarget;
import io.taskscratch.region.UserMemory;
import io.taskscratch.task.TaskHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code BPF_MAP_TYPE_TASK_STORAGE} map with user memory ("uptr") fields, following the
 * kernel's rules of docs/design.md §4. Every refused operation throws {@link ScratchException} with
 * the kernel's code and changes nothing.
 *
 * <p>Implementation overview. Elements are keyed by task; the map lock guards them. A uptr
 * field holds an object ({@link ScratchRegion} or {@link UserMemory}), never an address, and
 * pinning is bookkeeping in {@link Pins} taken under the target's lock, so a region cannot be
 * freed between the checks and the pin, and {@link ScratchRegion#close()} refuses (EBUSY) while
 * any element pins it. Update checks run in the kernel's order (see {@link #update(TaskHandle,
 * MapValue, long)}): the uptrs are pinned before the key is resolved, and a failure unpins
 * whatever this update pinned. A replaced or deleted element is retired: its
 * pins are released after a grace period, since a program in a read-side section may still
 * write its region. Task exit and map close unpin at once: no program can reach the element.
 */
public final class TaskStorageMap implements AutoCloseable {
    private final String name;
    private final MapSpec spec;
    private final Rcu rcu;
    private final Map<Long, StorageElement> elements = new HashMap<>(); // guarded by this
    private final Map<Long, TaskHandle> hooked = new HashMap<>(); // guarded by this
    private boolean closed; // guarded by this

    /** The key argument of an update through a {@link TaskHandle} (no raw fd). */
    private static final int NO_FD = -1;

    private TaskStorageMap(String name, MapSpec spec, Rcu rcu) {
        this.name = name;
        this.spec = spec;
        this.rcu = rcu;
    }

    /**
     * Creates a map after the kernel's create-time checks.
     *
     * @throws ScratchException EINVAL bad type/flags/max_entries/key size/value size, field
     *                          outside the value or declared out of offset order, empty or kernel-owned uptr pointee; E2BIG value
     *                          larger than {@link MapFlags#MAX_VALUE_SIZE}, a second spin lock or
     *                          pointee larger than a page; EFAULT a misaligned spin lock;
     *                          EOPNOTSUPP uptr field in another map type. A misaligned uptr or
     *                          overlapping fields are plain data, not an error ({@link ValueType})
     */
    public static TaskStorageMap create(String name, MapSpec spec) {
        return create(name, spec, Rcu.global());
    }

    /**
     * Creates a map whose elements are protected by {@code rcu}: programs must reach them inside
     * a read-side section of that domain, and retired elements are unpinned after its grace
     * periods. Hook registries that run programs using this map must use the same domain.
     *
     * @throws ScratchException as {@link #create(String, MapSpec)}
     */
    public static TaskStorageMap create(String name, MapSpec spec, Rcu rcu) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rcu, "rcu");
        Objects.requireNonNull(spec, "spec");
        ValueType v = spec.value();
        if (spec.type() != MapType.TASK_STORAGE) {
            if (v.hasUptr()) {
                throw new ScratchException(Errno.EOPNOTSUPP, "map \"" + name + "\" type " + spec.type()
                        + ": uptr fields are supported only in TASK_STORAGE maps");
            }
            throw new ScratchException(Errno.EINVAL, "map \"" + name + "\" type " + spec.type()
                    + ": only TASK_STORAGE maps are modelled");
        }
        long allowed = MapFlags.NO_PREALLOC | MapFlags.CLONE;
        if ((spec.flags() & ~allowed) != 0 || (spec.flags() & MapFlags.NO_PREALLOC) == 0) {
            throw new ScratchException(Errno.EINVAL, "map \"" + name + "\" flags 0x" + Long.toHexString(spec.flags())
                    + ": must include NO_PREALLOC(0x1) and may add only CLONE(0x200)");
        }
        if (spec.maxEntries() != 0) {
            throw new ScratchException(Errno.EINVAL, "map \"" + name + "\" max_entries " + spec.maxEntries()
                    + ": must be 0 for task storage");
        }
        if (spec.keySize() != 4) {
            throw new ScratchException(Errno.EINVAL, "map \"" + name + "\" key size " + spec.keySize()
                    + ": must be 4 (an int task fd)");
        }
        if (v.size() <= 0) {
            throw new ScratchException(Errno.EINVAL, "map \"" + name + "\" value size " + v.size() + ": must be > 0");
        }
        if (v.size() > MapFlags.MAX_VALUE_SIZE) {
            throw new ScratchException(Errno.E2BIG, "map \"" + name + "\" value size " + v.size()
                    + ": larger than the local-storage maximum " + MapFlags.MAX_VALUE_SIZE);
        }
        checkFields(name, v);
        return new TaskStorageMap(name, spec, rcu);
    }

    /**
     * The kernel's BTF rules for the value's special fields ({@code kernel/bpf/btf.c}): a field
     * declared before one at a lower offset, or outside the value, is invalid BTF (EINVAL,
     * {@code btf_struct_check_meta}: "Invalid member bits_offset"); a value with a
     * spin lock is parsed when its BTF is loaded ({@code btf_parse_struct_metas}), where a second
     * lock is E2BIG ({@code btf_get_field_type}) and a misaligned one EFAULT (no record); then
     * each special uptr's pointee ({@code btf_check_and_fixup_fields}). Misaligned or
     * overlapping fields are otherwise not errors: see {@link ValueType}.
     */
    private static void checkFields(String map, ValueType v) {
        List<ValueType.Field> fs = v.fields();
        ValueType.Field lock = null;
        int lastOffset = 0;
        for (ValueType.Field f : fs) {
            String what = "map \"" + map + "\" field \"" + f.name() + "\"";
            if (f.offset() < lastOffset) {
                throw new ScratchException(Errno.EINVAL, what + " at offset " + f.offset() + ": declared after a field at offset "
                        + lastOffset + "; struct members must be declared in offset order");
            }
            lastOffset = f.offset();
            if (f.offset() > v.size() - f.size()) {
                throw new ScratchException(Errno.EINVAL, what + " at offset " + f.offset() + " size " + f.size()
                        + ": must lie inside the " + v.size() + "-byte value");
            }
            if (f.kind() == ValueType.FieldKind.SPIN_LOCK) {
                if (lock != null) {
                    throw new ScratchException(Errno.E2BIG, what + ": at most one bpf_spin_lock per value");
                }
                lock = f;
            }
        }
        if (lock != null && lock.offset() % lock.size() != 0) {
            throw new ScratchException(Errno.EFAULT, "map \"" + map + "\" field \"" + lock.name() + "\" at offset "
                    + lock.offset() + ": a bpf_spin_lock must be 4-byte aligned");
        }
        for (int i : v.uptrOrder()) {
            ValueType.Field f = fs.get(i);
            String what = "map \"" + map + "\" field \"" + f.name() + "\"";
            PointeeType p = f.pointee();
            if (p.size() <= 0) {
                throw new ScratchException(Errno.EINVAL, what + " pointee " + p.name() + " size " + p.size()
                        + ": a uptr may not point to an empty type");
            }
            if (p.kernelOwned()) {
                throw new ScratchException(Errno.EINVAL, what + " pointee " + p.name()
                        + ": a uptr must point to a user type, not a kernel-owned one");
            }
            if (p.size() > Libc.pageSize()) {
                throw new ScratchException(Errno.E2BIG, what + " pointee " + p.name() + " size " + p.size()
                        + ": larger than a page (" + Libc.pageSize() + " bytes)");
            }
        }
    }

    /** The map's name. */
    public String name() {
        return name;
    }

    /** The creation attributes. */
    public MapSpec spec() {
        return spec;
    }

    /** A zeroed value of this map's type. */
    public MapValue newValue() {
        return spec.value().newValue();
    }

    /** The number of elements. */
    public synchronized int size() {
        return elements.size();
    }

    // ---- user side --------------------------------------------------------------------

    /**
     * {@link #update(TaskHandle, MapValue, long)} with a raw task fd ({@link TaskHandle#fd()}). The
     * fd is resolved where the kernel resolves the pidfd: after the flag and uptr checks.
     *
     * @throws NullPointerException if {@code value} is null
     * @throws ScratchException as {@link #update(TaskHandle, MapValue, long)}; EBADF if
     *                          {@code taskFd} is not an open task fd
     */
    public void update(int taskFd, MapValue value, long flags) {
        update(null, taskFd, value, flags);
    }

    /**
     * Creates or replaces {@code task}'s element (user side, {@code BPF_MAP_UPDATE_ELEM}). uptr
     * fields pin their targets; a NULL uptr pins nothing, so replacing clears the previous pin.
     * The replaced element's pins are released after a grace period.
     *
     * <p>Checks in the kernel's order ({@code kernel/bpf/syscall.c} {@code map_update_elem} and
     * {@code bpf_obj_pin_uptrs}, then {@code bpf_pid_task_storage_update_elem}, then
     * {@code bpf_local_storage_update}): map open (EBADF); value of another map (EINVAL); F_LOCK
     * without a spin lock (EINVAL); each uptr by ascending offset (EFAULT overflow, EOPNOTSUPP page
     * crossing, EFAULT unmapped, not writable or too small); F_LOCK on a value with uptrs
     * (EOPNOTSUPP); the task (EBADF closed, ENOENT exited); unknown flags (EINVAL); NOEXIST on an
     * existing element (EEXIST), EXIST on a missing one (ENOENT). A failure unpins what this
     * update pinned.
     *
     * @throws NullPointerException if {@code task} or {@code value} is null (the kernel's EFAULT
     *                              for a NULL key or value pointer)
     * @throws ScratchException with the first failing rule's code, in the order above
     */
    public void update(TaskHandle task, MapValue value, long flags) {
        Objects.requireNonNull(task, "task");
        update(task, NO_FD, value, flags);
    }

    /** The update; the key is {@code task}, or the handle behind {@code fd} when {@code task} is null. */
    private synchronized void update(TaskHandle task, int fd, MapValue value, long flags) {
        Objects.requireNonNull(value, "value");
        checkOpen();
        if (value.type() != spec.value()) {
            throw new ScratchException(Errno.EINVAL, "value " + value + ": not a value of map \"" + name
                    + "\" (use map.newValue())");
        }
        boolean lock = (flags & MapFlags.F_LOCK) != 0;
        if (lock && !spec.value().hasSpinLock()) {
            throw new ScratchException(Errno.EINVAL, "update flags F_LOCK: map \"" + name + "\" value has no bpf_spin_lock");
        }
        List<ValueType.Field> fs = spec.value().fields();
        UptrTarget[] targets = new UptrTarget[fs.size()];
        StorageElement fresh = new StorageElement(this, "", value.bytesWithoutPointers(), targets);
        String holder = "map \"" + name + "\" for task " + (task != null ? task : "fd " + fd);
        try {
            for (int i : spec.value().uptrOrder()) {
                UptrTarget t = value.uptrAt(i);
                if (t != null) {
                    pin(fs.get(i), t, fresh, holder);
                    targets[i] = t;
                }
            }
            if (lock && spec.value().hasUptr()) {
                throw new ScratchException(Errno.EOPNOTSUPP, "update flags F_LOCK: map \"" + name
                        + "\" has uptr fields, which cannot be updated under the spin lock");
            }
            TaskHandle key = task != null ? task : TaskHandle.fromFd(fd);
            key.checkUsable("task");
            long mode = flags & ~MapFlags.F_LOCK;
            if (Long.compareUnsigned(mode, MapFlags.EXIST) > 0) {
                throw new ScratchException(Errno.EINVAL, "update flags 0x" + Long.toHexString(flags)
                        + ": must be ANY(0), NOEXIST(1) or EXIST(2), optionally with F_LOCK(4)");
            }
            StorageElement old = elements.get(key.taskId());
            if (mode == MapFlags.NOEXIST && old != null) {
                throw new ScratchException(Errno.EEXIST, "update NOEXIST: task " + key + " already has an element in map \"" + name + "\"");
            }
            if (mode == MapFlags.EXIST && old == null) {
                throw new ScratchException(Errno.ENOENT, "update EXIST: task " + key + " has no element in map \"" + name + "\"");
            }
            if (lock && old != null) {
                old.overwriteData(value.bytesWithoutPointers()); // no uptrs here: nothing was pinned
                return;
            }
            if (old == null) {
                key.attachExitHook(this, exitHook(key.taskId()));
                hooked.put(key.taskId(), key);
            }
            fresh.bindTask(key.toString());
            elements.put(key.taskId(), fresh);
            if (old != null) {
                retire(old);
            }
        } catch (RuntimeException e) {
            unpinAll(fresh);
            throw e;
        }
    }

    private static void pin(ValueType.Field field, UptrTarget t, StorageElement owner, String holder) {
        long size = field.pointee().size();
        long start = t.address();
        long end = start + size - 1;
        String what = "uptr field \"" + field.name() + "\" target " + t;
        if (Long.compareUnsigned(end, start) < 0) {
            throw new ScratchException(Errno.EFAULT, what + ": address + size " + size + " - 1 overflows");
        }
        long page = Libc.pageSize();
        if ((start & -page) != (end & -page)) {
            throw new ScratchException(Errno.EOPNOTSUPP, what + ": the " + size + "-byte " + field.pointee().name()
                    + " crosses a page boundary (page size " + page + ")");
        }
        synchronized (t) {
            if (!t.isMapped()) {
                throw new ScratchException(Errno.EFAULT, what + ": memory is not mapped (freed or never allocated)");
            }
            if (t.isReadOnly()) {
                throw new ScratchException(Errno.EFAULT, what + ": memory is read-only (a read-only view, or a mapping"
                        + " without write permission: the kernel pins uptr pages for writing)");
            }
            long available = t instanceof ScratchRegion r ? r.layout().regionSize() : ((UserMemory) t).byteSize();
            if (available < size) {
                throw new ScratchException(Errno.EFAULT, what + ": only " + available + " bytes belong to it, the pointee "
                        + field.pointee().name() + " needs " + size);
            }
            Pins.pin(t, owner, holder);
        }
    }

    /** {@link #lookup(TaskHandle)} with a raw task fd. @throws ScratchException EBADF if not an open task fd */
    public MapValue lookup(int taskFd) {
        return lookup(TaskHandle.fromFd(taskFd));
    }

    /**
     * The element's value with every uptr field NULL (addresses never leak).
     *
     * @throws ScratchException EBADF closed handle or map, ENOENT exited task or no element
     */
    public synchronized MapValue lookup(TaskHandle task) {
        StorageElement e = existing(task, "lookup");
        return new MapValue(spec.value(), e.copyData(), new UptrTarget[spec.value().fields().size()]);
    }

    /** {@link #delete(TaskHandle)} with a raw task fd. @throws ScratchException EBADF if not an open task fd */
    public void delete(int taskFd) {
        delete(TaskHandle.fromFd(taskFd));
    }

    /**
     * Deletes the element; its pins are released after a grace period.
     *
     * @throws ScratchException EBADF closed handle or map, ENOENT exited task or no element
     */
    public synchronized void delete(TaskHandle task) {
        existing(task, "delete");
        remove(task.taskId(), false);
    }

    private StorageElement existing(TaskHandle task, String op) {
        checkOpen();
        Objects.requireNonNull(task, "task");
        task.checkUsable("task");
        StorageElement e = elements.get(task.taskId());
        if (e == null) {
            throw new ScratchException(Errno.ENOENT, op + ": task " + task + " has no element in map \"" + name + "\"");
        }
        return e;
    }

    // ---- program side -----------------------------------------------------------------

    /** {@code bpf_task_storage_get(map, task, NULL, flags)}. */
    public StorageElement taskStorageGet(TaskHandle task, long flags) {
        return taskStorageGet(task, flags, null);
    }

    /**
     * {@code bpf_task_storage_get(map, task, init, flags)}: the element, or with
     * {@link MapFlags#F_CREATE} a new one initialised from {@code init}'s bytes (zero if
     * {@code null}); uptr fields of {@code init} are ignored, only user space can set a uptr.
     * Must be called inside a read-side section ({@code Rcu.global().read(Flavor.NORMAL)} or
     * {@code TASKS_TRACE}); the element and its regions stay valid until the section ends.
     *
     * @throws IllegalStateException outside a read-side section
     * @return the element, or {@code null} for unknown flags, a missing/exited task, a closed map,
     *         or no element without F_CREATE
     */
    public synchronized StorageElement taskStorageGet(TaskHandle task, long flags, MapValue init) {
        GracePeriods.checkInReadSection(rcu, "taskStorageGet", name);
        if (closed || (flags & ~MapFlags.F_CREATE) != 0 || task == null || !task.isOpen() || !task.isAlive()) {
            return null;
        }
        StorageElement e = elements.get(task.taskId());
        if (e != null || (flags & MapFlags.F_CREATE) == 0) {
            return e;
        }
        if (init != null && init.type() != spec.value()) {
            return null;
        }
        byte[] data = init == null ? new byte[spec.value().size()] : init.bytesWithoutPointers();
        e = new StorageElement(this, task.toString(), data, new UptrTarget[spec.value().fields().size()]);
        try {
            task.attachExitHook(this, exitHook(task.taskId()));
        } catch (ScratchException exited) {
            return null;
        }
        hooked.put(task.taskId(), task);
        elements.put(task.taskId(), e);
        return e;
    }

    /**
     * {@code bpf_task_storage_delete}: deletes the element (pins released after a grace period).
     *
     * @return whether there was an element
     * @throws IllegalStateException outside a read-side section
     */
    public synchronized boolean programDelete(TaskHandle task) {
        GracePeriods.checkInReadSection(rcu, "programDelete", name);
        if (closed || task == null || !elements.containsKey(task.taskId())) {
            return false;
        }
        remove(task.taskId(), false);
        return true;
    }

    // ---- lifetime ---------------------------------------------------------------------

    private Runnable exitHook(long taskId) {
        return () -> {
            synchronized (this) {
                hooked.remove(taskId);
                StorageElement e = elements.remove(taskId);
                if (e != null) {
                    unpinAll(e); // the task is gone: no program can reach the element any more
                }
            }
        };
    }

    private void remove(long taskId, boolean immediate) {
        StorageElement e = elements.remove(taskId);
        TaskHandle t = hooked.remove(taskId);
        if (t != null) {
            t.detachExitHook(this);
        }
        if (immediate) {
            unpinAll(e);
        } else {
            retire(e);
        }
    }

    private void retire(StorageElement e) {
        GracePeriods.defer(rcu, () -> unpinAll(e));
    }

    private static void unpinAll(StorageElement e) {
        List<ValueType.Field> fs = e.map().spec().value().fields();
        for (int i = 0; i < fs.size(); i++) {
            UptrTarget t = e.uptrAt(i);
            if (t != null) {
                Pins.unpin(t, e);
            }
        }
    }

    /**
     * Waits until every element retired (replaced or deleted) before this call has been
     * unpinned: a grace period plus its callbacks. After it, a deleted element's region can be
     * closed.
     */
    public void awaitUnpins() {
        rcu.rcuBarrier();
    }

    /** The rcu domain that protects this map's elements. */
    public Rcu rcu() {
        return rcu;
    }

    private void checkOpen() {
        if (closed) {
            throw new ScratchException(Errno.EBADF, "map \"" + name + "\": closed");
        }
    }

    /** Closes the map: every element is removed and unpinned at once. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Long id : new ArrayList<>(elements.keySet())) {
            remove(id, true);
        }
    }

    @Override
    public String toString() {
        return "TaskStorageMap[\"" + name + "\", " + size() + " elements]";
    }
}
