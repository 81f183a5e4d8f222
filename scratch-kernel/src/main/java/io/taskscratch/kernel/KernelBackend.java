package io.taskscratch.kernel;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.internal.Pins;
import io.taskscratch.internal.os.Libc;
import io.taskscratch.region.HeaderField;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAbi;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real kernel backend: a {@code tp_btf/sched_switch} BPF program that writes the docs/design.md §3
 * header of every registered thread's region through a {@code BPF_MAP_TYPE_TASK_STORAGE} map with
 * a {@code __uptr} value (Linux 6.13+). One backend = one loaded program and one map.
 *
 * <p>Implementation overview. {@link #open} loads the BPF object (a jar resource compiled by the
 * build) with libbpf through FFM and attaches it. {@link #register()} gives the calling platform
 * thread a region from this backend's own pinned {@link RegionAllocator}, writes {@code on_cpu = 1}
 * and the current CPU into it (the thread is running now; the program only writes at the next
 * switch), opens {@code pidfd_open(gettid(), PIDFD_THREAD)} and updates the map with the region's
 * address (NOEXIST). The region is then pinned twice over: by the slab's {@code mlock} and by the
 * kernel's uptr pin; scratch-api's pin table makes {@link ScratchRegion#close()} refuse (EBUSY)
 * while it is registered.
 *
 * <p>Unregistering deletes the element, then waits for a kernel RCU grace period
 * ({@code membarrier(MEMBARRIER_CMD_GLOBAL)}): sched_switch programs run under {@code rcu_read_lock},
 * so afterwards no invocation can still hold the old element, and only then is the region freed.
 * If the task is already gone (delete says ENOENT: the kernel unhashed its pid in
 * {@code release_task}, before the task's final {@code schedule()}), its element lives on until the
 * task_struct is freed and its final switch-out may still be to come. The region is then
 * quarantined until the program has recorded that final switch-out ({@code cpu} =
 * {@link RegionAbi#CPU_EXITED}, stored when {@code prev_state == TASK_DEAD}, see the BPF source):
 * nothing writes it afterwards, so it is freed after one more grace period. Every unregistration
 * (and {@link #reclaimExited()}) frees the quarantined regions whose final switch-out is recorded,
 * sharing its grace period; the rest wait for a later one, or for {@link #close()}. Only a final
 * switch-out the program missed (a rare lost tracepoint write) keeps a region until {@code close()}.
 *
 * <p>Security: as root the kernel accepts the pidfd of any process and would then write that
 * task's scheduling into our memory. Every update first checks, through
 * {@code /proc/self/fdinfo/<pidfd>}, that the pidfd names a live thread of this process (EPERM
 * otherwise); regions come only from this backend's allocator, and an address is registered in at
 * most one backend at a time (EBUSY), so one map's regions are never written through another map.
 */
public final class KernelBackend implements AutoCloseable {
    /** The program's name in the BPF object. */
    static final String PROGRAM = "sched_scratch_switch";
    /** The task-storage map's name in the BPF object. */
    static final String MAP = "sched_scratch_map";
    /** The jar resource holding the compiled BPF object. */
    static final String OBJECT_RESOURCE = "sched_scratch.bpf.o";
    /** Oldest kernel with uptr task storage. */
    private static final int[] MIN_KERNEL = {6, 13};

    /** Addresses registered in any open backend: a region is written through one map only. */
    private static final Set<Long> REGISTERED_ADDRESSES = ConcurrentHashMap.newKeySet();
    private static volatile KernelAvailability availability;

    private final Libbpf bpf;
    private final RegionAllocator allocator;
    private final MemorySegment object;
    private final MemorySegment link;
    private final int mapFd;
    private final Map<Thread, KernelRegistration> byThread = new ConcurrentHashMap<>();
    private final List<ScratchRegion> quarantine = new ArrayList<>(); // guarded by this
    private boolean closed; // guarded by this

    private KernelBackend(Libbpf bpf, RegionAllocator allocator, MemorySegment object, MemorySegment link, int mapFd) {
        this.bpf = bpf;
        this.allocator = allocator;
        this.object = object;
        this.link = link;
        this.mapFd = mapFd;
    }

    /**
     * Whether the backend can run here: Linux ≥ 6.13 with kernel BTF, the BPF object in the jar,
     * libbpf, and the privileges to load and attach (checked by loading once; cached).
     *
     * @return never null; {@link KernelAvailability#reason()} says exactly what is missing
     */
    public static KernelAvailability availability() {
        KernelAvailability a = availability;
        if (a == null) {
            synchronized (KernelBackend.class) {
                a = availability;
                if (a == null) {
                    a = probe();
                    availability = a;
                }
            }
        }
        return a;
    }

    private static KernelAvailability probe() {
        String staticReason = staticReason();
        if (staticReason != null) {
            return KernelAvailability.no(staticReason);
        }
        try (KernelBackend b = open()) {
            return KernelAvailability.yes();
        } catch (ScratchException e) {
            return KernelAvailability.no(e.getMessage());
        }
    }

    /** The first reason that needs no loading attempt, or null. */
    private static String staticReason() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return "not Linux (" + System.getProperty("os.name") + "): uptr task storage is a Linux 6.13+ feature";
        }
        String release = System.getProperty("os.version", "");
        if (!atLeast(release, MIN_KERNEL)) {
            return "kernel " + release + " is older than 6.13, which introduced uptr task storage";
        }
        if (!Files.isReadable(Path.of("/sys/kernel/btf/vmlinux"))) {
            return "/sys/kernel/btf/vmlinux is missing or unreadable: the kernel needs CONFIG_DEBUG_INFO_BTF for tp_btf programs";
        }
        if (KernelBackend.class.getResource(OBJECT_RESOURCE) == null) {
            return "the BPF object " + OBJECT_RESOURCE + " is not in the jar: the build packages it from"
                    + " scratch-kernel/src/main/bpf (see docs/scratch-kernel.md)";
        }
        Object l = Libbpf.load();
        return l instanceof String reason ? reason : null;
    }

    static boolean atLeast(String release, int[] min) {
        String[] parts = release.split("[^0-9]+");
        for (int i = 0; i < min.length; i++) {
            int v = i < parts.length && !parts[i].isEmpty() ? Integer.parseInt(parts[i]) : 0;
            if (v != min[i]) {
                return v > min[i];
            }
        }
        return true;
    }

    /**
     * Loads and attaches the program with the default region layout and pinned slabs.
     *
     * @throws ScratchException naming the step that failed: EPERM without root/CAP_BPF+CAP_PERFMON,
     *                          EOPNOTSUPP if a prerequisite (kernel, BTF, libbpf, object) is missing
     */
    public static KernelBackend open() {
        return open(RegionAllocator.create(RegionLayout.defaults(), PinMode.PINNED));
    }

    /**
     * Loads and attaches the program; regions come from {@code allocator}, which this backend then
     * uses exclusively (do not allocate from it elsewhere: regions of another map must not be
     * registered here).
     *
     * @param allocator pinned allocator whose regions hold at least the 40-byte header
     * @throws ScratchException EINVAL for an unpinned allocator; otherwise as {@link #open()}
     */
    public static KernelBackend open(RegionAllocator allocator) {
        Objects.requireNonNull(allocator, "allocator");
        if (allocator.pinMode() != PinMode.PINNED) {
            throw new ScratchException(Errno.EINVAL, "allocator " + allocator.layout()
                    + ": the kernel backend registers regions from pinned slabs only (PinMode.PINNED)");
        }
        String reason = staticReason();
        if (reason != null) {
            throw new ScratchException(Errno.EOPNOTSUPP, "kernel backend unavailable: " + reason);
        }
        Libbpf bpf = (Libbpf) Libbpf.load();
        byte[] elf = readObject();
        MemorySegment buf = Arena.global().allocate(elf.length); // libbpf may keep pointers into it
        buf.copyFrom(MemorySegment.ofArray(elf));
        int[] err = new int[1];
        MemorySegment obj = bpf.openMem(buf, err);
        if (obj.equals(MemorySegment.NULL)) {
            throw KernelErrors.failure(err[0], "bpf_object__open_mem(" + OBJECT_RESOURCE + ")");
        }
        int rc = bpf.objectLoad(obj);
        if (rc < 0) {
            bpf.objectClose(obj);
            throw KernelErrors.failure(-rc, "bpf_object__load(" + OBJECT_RESOURCE + "), see libbpf's log on stderr");
        }
        MemorySegment prog = bpf.findProgram(obj, PROGRAM);
        int fd = bpf.findMapFd(obj, MAP);
        if (prog.equals(MemorySegment.NULL) || fd < 0) {
            bpf.objectClose(obj);
            throw new ScratchException(Errno.EINVAL, OBJECT_RESOURCE + ": has no program " + PROGRAM + " or no map " + MAP);
        }
        MemorySegment l = bpf.attach(prog, err);
        if (l.equals(MemorySegment.NULL)) {
            bpf.objectClose(obj);
            throw KernelErrors.failure(err[0], "bpf_program__attach(" + PROGRAM + ")");
        }
        return new KernelBackend(bpf, allocator, obj, l, fd);
    }

    private static byte[] readObject() {
        try (InputStream in = KernelBackend.class.getResourceAsStream(OBJECT_RESOURCE)) {
            if (in == null) {
                throw new ScratchException(Errno.EOPNOTSUPP, "resource " + OBJECT_RESOURCE + " missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ScratchException(Errno.EINVAL, "resource " + OBJECT_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** The layout of the regions this backend hands out. */
    public RegionLayout layout() {
        return allocator.layout();
    }

    /**
     * Registers the calling platform thread: the kernel writes its scheduling state into the
     * returned registration's region from its next context switch on. Close the registration (on
     * any thread) to unregister; thread exit unregisters too (within about 50 ms, see
     * {@link TaskHandle}).
     *
     * @throws ScratchException EOPNOTSUPP on a virtual thread (the kernel sees its carrier, not it),
     *                          EEXIST if this thread is registered here already, EBADF if the backend
     *                          is closed, or the kernel's code for a refused update
     */
    public KernelRegistration register() {
        Thread self = Thread.currentThread();
        if (self.isVirtual()) {
            throw new ScratchException(Errno.EOPNOTSUPP, "thread " + self + ": a virtual thread moves between carrier"
                    + " threads and the kernel writes the carrier's state; register platform threads only");
        }
        synchronized (this) {
            checkOpen();
            if (byThread.containsKey(self)) {
                throw new ScratchException(Errno.EEXIST, "thread \"" + self.getName() + "\": already registered in this backend");
            }
        }
        TaskHandle task = TaskHandle.current();
        ScratchRegion region = allocator.allocate(task);
        int pidfd = -1;
        try {
            // The thread runs now and the program writes only at its next switch: start truthful.
            region.set(HeaderField.CPU, Libc.schedGetcpu(), MemoryOrder.OPAQUE);
            region.set(HeaderField.ON_CPU, 1, MemoryOrder.OPAQUE);
            pidfd = Sys.pidfdOpen(task.osTid(), Sys.PIDFD_THREAD);
            if (pidfd < 0) {
                throw KernelErrors.failure(-pidfd, "pidfd_open(tid " + task.osTid() + ", PIDFD_THREAD)");
            }
            KernelRegistration r = new KernelRegistration(this, self, task, region, pidfd);
            synchronized (this) {
                checkOpen();
                insert(pidfd, region, "thread \"" + self.getName() + "\" (tid " + task.osTid() + ")", r);
                byThread.put(self, r);
            }
            task.attachExitHook(r, r::close);
            return r;
        } catch (RuntimeException e) {
            if (pidfd >= 0) {
                Sys.close(pidfd);
            }
            if (!Pins.isPinned(region)) {
                region.close();
            }
            throw e;
        }
    }

    /** Guarded NOEXIST insert of {@code region} for {@code pidfd}; pins the region in the pin table. */
    private void insert(int pidfd, ScratchRegion region, String who, Object holder) {
        if (region.layout().regionSize() < RegionAbi.HEADER_SIZE) {
            throw new ScratchException(Errno.EINVAL, "region " + region + ": smaller than the " + RegionAbi.HEADER_SIZE + "-byte header");
        }
        OwnThread.check(pidfd, who);
        if (!REGISTERED_ADDRESSES.add(region.address())) {
            throw new ScratchException(Errno.EBUSY, "region " + region + ": already registered in another kernel map");
        }
        int rc = kernelUpdate(pidfd, region.address(), 1 /* BPF_NOEXIST */);
        if (rc != 0) {
            REGISTERED_ADDRESSES.remove(region.address());
            throw KernelErrors.failure(-rc, "bpf_map_update_elem(" + MAP + ", pidfd of " + who + ", region " + region + ", NOEXIST)");
        }
        synchronized (region) {
            Pins.pin(region, holder, "kernel map " + MAP + " for " + who);
        }
    }

    /**
     * The raw {@code bpf_map_update_elem(map, &pidfd, &{address}, flags)}, without the own-process
     * guard: for the differential tests, which compare the kernel's codes with the simulated map's.
     *
     * @return 0 or {@code -errno}
     */
    int kernelUpdate(int pidfd, long address, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(ValueLayout.JAVA_INT, pidfd);
            MemorySegment value = arena.allocateFrom(ValueLayout.JAVA_LONG, address);
            return bpf.updateElem(mapFd, key, value, flags);
        }
    }

    /** {@code bpf_map_delete_elem(map, &pidfd)}: 0 or {@code -errno}. */
    int kernelDelete(int pidfd) {
        try (Arena arena = Arena.ofConfined()) {
            return bpf.deleteElem(mapFd, arena.allocateFrom(ValueLayout.JAVA_INT, pidfd));
        }
    }

    /**
     * {@code bpf_map_lookup_elem}: the uptr field as user space sees it (the kernel returns it
     * NULL, so this is 0 for a present element), or {@code -1 - errno} if absent or refused.
     */
    long kernelLookup(int pidfd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
            value.set(ValueLayout.JAVA_LONG, 0, -1L);
            int rc = bpf.lookupElem(mapFd, arena.allocateFrom(ValueLayout.JAVA_INT, pidfd), value);
            return rc == 0 ? value.get(ValueLayout.JAVA_LONG, 0) : -1L + rc;
        }
    }

    /** Called by {@link KernelRegistration#close()}. */
    void unregister(KernelRegistration r) {
        int rc = kernelDelete(r.pidfd());
        byThread.remove(r.thread(), r);
        r.task().detachExitHook(r);
        REGISTERED_ADDRESSES.remove(r.region().address());
        Pins.unpin(r.region(), r);
        Sys.close(r.pidfd());
        List<ScratchRegion> free = new ArrayList<>();
        synchronized (this) {
            if (rc != 0 && !closed) {
                // ENOENT: the task is gone, but its final switch-out may still be to come.
                quarantine.add(r.region());
            } else {
                free.add(r.region()); // deleted (or the program is detached): one grace period
            }
            takeExited(free);
        }
        freeAfterGracePeriod(free);
    }

    /**
     * Frees the quarantined regions of exited threads whose final switch-out the program has
     * recorded ({@code cpu} = {@link RegionAbi#CPU_EXITED}), after one kernel RCU grace period.
     * Every unregistration does this too; call it to reclaim without waiting for the next one.
     *
     * @return how many regions were freed
     */
    public int reclaimExited() {
        List<ScratchRegion> free = new ArrayList<>();
        synchronized (this) {
            if (!closed) {
                takeExited(free);
            }
        }
        freeAfterGracePeriod(free);
        return free.size();
    }

    /** Moves the quarantined regions whose final switch-out is recorded to {@code free}. Caller holds this. */
    private void takeExited(List<ScratchRegion> free) {
        for (Iterator<ScratchRegion> it = quarantine.iterator(); it.hasNext(); ) {
            ScratchRegion region = it.next();
            // Seqlock-consistent: an even, unchanged seq with the marker means the whole final update landed.
            if (region.snapshot().cpu() == RegionAbi.CPU_EXITED) {
                it.remove();
                free.add(region);
            }
        }
    }

    /**
     * Frees {@code regions} once a kernel RCU grace period has passed: every program invocation that
     * could still hold their elements, or was still finishing a final switch-out, has ended.
     */
    private static void freeAfterGracePeriod(List<ScratchRegion> regions) {
        if (regions.isEmpty()) {
            return;
        }
        Sys.synchronizeKernelRcu();
        for (ScratchRegion region : regions) {
            region.close();
        }
    }

    /** How many regions of exited threads wait for their final switch-out to be recorded (or for {@link #close()}). */
    public synchronized int quarantinedRegions() {
        return quarantine.size();
    }

    /** The counters of this backend's region allocator (live regions include quarantined ones). */
    public RegionAllocator.Stats regionStats() {
        return allocator.stats();
    }

    /**
     * The registration of {@code thread} in this backend, or null (for lock owner-state lookups).
     *
     * @param thread any thread
     * @return its registration, or null if it has none here
     */
    public KernelRegistration registration(Thread thread) {
        return byThread.get(thread);
    }

    /** How many threads are registered right now. */
    public int registeredThreads() {
        return byThread.size();
    }

    private void checkOpen() {
        if (closed) {
            throw new ScratchException(Errno.EBADF, "kernel backend: closed");
        }
    }

    /**
     * Unregisters every thread, detaches the program and closes the map; then frees every region.
     * Idempotent.
     */
    @Override
    public void close() {
        List<KernelRegistration> live;
        synchronized (this) {
            if (closed) {
                return;
            }
            live = new ArrayList<>(byThread.values());
        }
        for (KernelRegistration r : live) {
            r.close();
        }
        List<ScratchRegion> held;
        synchronized (this) {
            closed = true;
            held = new ArrayList<>(quarantine);
            quarantine.clear();
        }
        bpf.linkDestroy(link); // detaches: waits for running invocations of the tracepoint
        bpf.objectClose(object); // closes the map fd: the kernel unpins every remaining element
        freeAfterGracePeriod(held);
    }

    @Override
    public String toString() {
        return "KernelBackend[" + PROGRAM + ", map fd " + mapFd + ", " + byThread.size() + " threads]";
    }
}
