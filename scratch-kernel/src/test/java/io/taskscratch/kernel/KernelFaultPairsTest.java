package io.taskscratch.kernel;

import static io.taskscratch.kernel.KernelAssumptions.assumeKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.internal.os.Libc;
import io.taskscratch.map.MapFlags;
import io.taskscratch.map.MapSpec;
import io.taskscratch.map.MapValue;
import io.taskscratch.map.PointeeType;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.map.ValueType;
import io.taskscratch.region.UptrTarget;
import io.taskscratch.region.UserMemory;
import io.taskscratch.task.TaskHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The differential test of the update rules: every single fault and every pair of faults, on the
 * simulated map (through the raw-int API and, where the key is a task, the object API) and on a
 * real kernel task-storage map with the same value layout, must give the same errno. The value
 * has two uptr fields ({@code a} at 0, {@code b} at 8), so two memory faults can sit in one
 * update, each in both orders; the whole matrix runs on a value without and with a
 * {@code bpf_spin_lock}. Pairs that cannot exist in one call (two different keys; an element that
 * both exists and does not) are left out, and said so in the table.
 */
class KernelFaultPairsTest {
    private static final long PAGE = Libc.pageSize();
    private static final int SIZE = 40;
    private static final PointeeType P = PointeeType.user("user_data", SIZE);
    private static final int PROT_NONE = 0;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 0x01;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final long BAD_FLAG = 8;
    private static final MethodHandle MMAP = Libc.downcall("mmap", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_LONG));
    private static final MethodHandle MPROTECT = Libc.downcall("mprotect",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle MUNMAP = Libc.downcall("munmap",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));

    /** The faults of the matrix; {@link #RO_SHARED} and {@link #NULL_UPTRS} run as single cases only. */
    enum Fault {
        BAD_FLAGS, F_LOCK, NOEXIST_ON_EXISTING, EXIST_ON_MISSING, PAGE_CROSSING, OVERFLOW, READ_ONLY, PROT_NONE,
        UNMAPPED, DEAD_TASK, NON_PIDFD, CLOSED_FD, RO_SHARED, NULL_UPTRS;

        boolean memory() {
            return this == PAGE_CROSSING || this == OVERFLOW || this == READ_ONLY || this == PROT_NONE || this == UNMAPPED
                    || this == RO_SHARED;
        }

        boolean key() {
            return this == DEAD_TASK || this == NON_PIDFD || this == CLOSED_FD;
        }
    }

    private static final Set<Fault> PAIRED = EnumSet.range(Fault.BAD_FLAGS, Fault.CLOSED_FD);

    /** One call: faults in order (memory faults go to fields a, b in this order). */
    private record Case(List<Fault> faults) {
        @Override
        public String toString() {
            return String.join(" + ", faults.stream().map(Fault::name).toList());
        }
    }

    private final List<Long> mappings = new ArrayList<>();

    private long mmap(int prot, int flags) throws Throwable {
        long addr = (long) MMAP.invokeExact(0L, PAGE, prot, flags | MAP_ANONYMOUS, -1, 0L);
        assertTrue(addr != -1L, "mmap");
        mappings.add(addr);
        return addr;
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (Fault f : Fault.values()) {
            cases.add(new Case(List.of(f)));
        }
        Fault[] paired = PAIRED.toArray(Fault[]::new);
        for (int i = 0; i < paired.length; i++) {
            for (int j = i + 1; j < paired.length; j++) {
                Fault x = paired[i];
                Fault y = paired[j];
                if (x.key() && y.key() || x == Fault.NOEXIST_ON_EXISTING && y == Fault.EXIST_ON_MISSING) {
                    continue; // one call has one key, and its element exists or not
                }
                cases.add(new Case(List.of(x, y)));
                if (x.memory() && y.memory()) {
                    cases.add(new Case(List.of(y, x)));
                }
            }
        }
        return cases;
    }

    @Test
    void everySingleFaultAndEveryPairGiveTheKernelsErrno() throws Throwable {
        assumeKernel("KernelFaultPairsTest");
        TaskHandle me = TaskHandle.current();
        int meFd = me.fd();
        AtomicReference<TaskHandle> deadTask = new AtomicReference<>();
        int[] deadFd = new int[1];
        Thread t = new Thread(() -> {
            deadTask.set(TaskHandle.current());
            deadFd[0] = deadTask.get().fd();
        }, "fault-pairs-short-lived");
        t.start();
        t.join();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Files.exists(Path.of("/proc/self/task/" + deadTask.get().osTid())) && System.nanoTime() < deadline) {
            Thread.sleep(1); // the kernel releases the thread a little after Thread.join returns
        }
        int nonPidfd = Libc.openDevNull();
        int closedFd = Libc.openDevNull();
        Libc.close(closedFd);

        Arena arena = Arena.ofShared();
        MemorySegment valid1 = arena.allocate(PAGE, PAGE).asSlice(0, SIZE);
        MemorySegment valid2 = arena.allocate(PAGE, PAGE).asSlice(0, SIZE);
        MemorySegment crossing = arena.allocate(2 * PAGE, PAGE).asSlice(PAGE - SIZE + 8, SIZE);
        long readOnly = mmap(PROT_READ | PROT_WRITE, MAP_PRIVATE);
        assertEquals(0, (int) MPROTECT.invokeExact(readOnly, PAGE, PROT_READ));
        long protNone = mmap(PROT_NONE, MAP_PRIVATE);
        long roShared = mmap(PROT_READ, MAP_SHARED);
        long unmapped = mmap(PROT_READ | PROT_WRITE, MAP_PRIVATE);
        assertEquals(0, (int) MUNMAP.invokeExact(unmapped, PAGE));
        mappings.remove(unmapped);

        List<String> table = new ArrayList<>();
        List<String> disagree = new ArrayList<>();
        int total = 0;
        try {
            for (boolean withLock : new boolean[] {false, true}) {
                ValueType.Builder b = ValueType.builder(withLock ? 24 : 16).uptr("a", 0, P).uptr("b", 8, P);
                ValueType type = (withLock ? b.spinLock(16) : b).build();
                String shape = withLock ? "{a, b, lock}" : "{a, b}";
                KernelTestMap kernel = (KernelTestMap) KernelTestMap.create(type);
                try (TaskStorageMap sim = TaskStorageMap.create("fault_pairs", MapSpec.taskStorage(type))) {
                    for (Case c : cases()) {
                        total++;
                        long flags = 0;
                        boolean precreate = false;
                        int key = meFd;
                        TaskHandle keyHandle = me;
                        List<Object[]> memory = new ArrayList<>(); // {sim target, kernel address}
                        for (Fault f : c.faults()) {
                            switch (f) {
                                case BAD_FLAGS -> flags |= BAD_FLAG;
                                case F_LOCK -> flags |= MapFlags.F_LOCK;
                                case NOEXIST_ON_EXISTING -> {
                                    flags |= MapFlags.NOEXIST;
                                    precreate = true;
                                }
                                case EXIST_ON_MISSING -> flags |= MapFlags.EXIST;
                                case PAGE_CROSSING -> memory.add(new Object[] {UserMemory.of(crossing), crossing.address()});
                                case OVERFLOW -> memory.add(new Object[] {UserMemory.ofAddress(-16), -16L});
                                case READ_ONLY -> memory.add(wrapped(readOnly));
                                case PROT_NONE -> memory.add(wrapped(protNone));
                                case RO_SHARED -> memory.add(wrapped(roShared));
                                case UNMAPPED -> memory.add(wrapped(unmapped));
                                case DEAD_TASK -> {
                                    key = deadFd[0];
                                    keyHandle = deadTask.get();
                                }
                                case NON_PIDFD -> {
                                    key = nonPidfd;
                                    keyHandle = null;
                                }
                                case CLOSED_FD -> {
                                    key = closedFd;
                                    keyHandle = null;
                                }
                                case NULL_UPTRS -> flags |= MapFlags.F_LOCK;
                            }
                        }
                        boolean nullUptrs = c.faults().contains(Fault.NULL_UPTRS);
                        Object[] a = memory.size() > 0 ? memory.get(0) : new Object[] {UserMemory.of(valid1), valid1.address()};
                        Object[] bb = memory.size() > 1 ? memory.get(1) : new Object[] {UserMemory.of(valid2), valid2.address()};
                        UptrTarget ta = nullUptrs ? null : (UptrTarget) a[0];
                        UptrTarget tb = nullUptrs ? null : (UptrTarget) bb[0];
                        long[] addresses = nullUptrs ? new long[] {0, 0, 0} : new long[] {(long) a[1], (long) bb[1], 0};

                        reset(sim, kernel, me, meFd);
                        if (precreate) {
                            sim.update(meFd, value(sim, UserMemory.of(valid1), UserMemory.of(valid2)), MapFlags.ANY);
                            assertEquals(0, kernel.update(meFd, new long[] {valid1.address(), valid2.address(), 0}, MapFlags.ANY));
                        }
                        int rc = kernel.update(key, addresses, flags);
                        Errno kern = rc == 0 ? null : KernelErrors.of(-rc);
                        final long fl = flags;
                        final int k = key;
                        Errno simInt = KernelDifferentialTest.simulated(() -> sim.update(k, value(sim, ta, tb), fl));
                        Errno simObject = null;
                        boolean objectRan = keyHandle != null;
                        if (objectRan) {
                            resetSim(sim, me);
                            if (precreate) {
                                sim.update(me, value(sim, UserMemory.of(valid1), UserMemory.of(valid2)), MapFlags.ANY);
                            }
                            TaskHandle h = keyHandle;
                            simObject = KernelDifferentialTest.simulated(() -> sim.update(h, value(sim, ta, tb), fl));
                        }
                        boolean agree = simInt == kern && (!objectRan || simObject == kern);
                        String line = String.format("[scratch-kernel] pairs %-13s %-40s flags 0x%-2x sim(int) %-10s sim(object) %-10s kernel %-10s %s",
                                shape, c, flags, simInt, objectRan ? simObject : "-", kern, agree ? "agree" : "DISAGREE");
                        table.add(line);
                        if (!agree) {
                            disagree.add(line);
                        }
                        reset(sim, kernel, me, meFd);
                    }
                } finally {
                    kernel.close();
                }
            }
        } finally {
            Sys.synchronizeKernelRcu(); // the maps are gone: nothing pins our pages any more
            for (long m : mappings) {
                int ignored = (int) MUNMAP.invokeExact(m, PAGE);
            }
            arena.close();
            Libc.close(nonPidfd);
            deadTask.get().close();
            me.close(); // closes its pidfd
            table.forEach(System.out::println);
            System.out.println("[scratch-kernel] pairs: left out, one call cannot hold them: two different keys"
                    + " (DEAD_TASK/NON_PIDFD/CLOSED_FD), NOEXIST_ON_EXISTING + EXIST_ON_MISSING");
            System.out.printf("[scratch-kernel] pairs: %d of %d cases agree (simulated raw-int and object API vs kernel)%n",
                    total - disagree.size(), total);
        }
        assertEquals(List.of(), disagree, disagree.size() + " of " + total + " cases disagree");
    }

    /** A live segment over {@code address} (so the simulation sees only the real mapping's answer). */
    private static Object[] wrapped(long address) {
        return new Object[] {UserMemory.of(MemorySegment.ofAddress(address).reinterpret(SIZE)), address};
    }

    private static MapValue value(TaskStorageMap sim, UptrTarget a, UptrTarget b) {
        return sim.newValue().setUptr("a", a).setUptr("b", b);
    }

    private static void reset(TaskStorageMap sim, KernelTestMap kernel, TaskHandle me, int meFd) {
        resetSim(sim, me);
        int rc = kernel.delete(meFd);
        assertTrue(rc == 0 || rc == -Errno.ENOENT.code(), "kernel delete: " + rc);
    }

    private static void resetSim(TaskStorageMap sim, TaskHandle me) {
        Errno s = KernelDifferentialTest.simulated(() -> sim.delete(me));
        assertTrue(s == null || s == Errno.ENOENT, "sim delete: " + s);
        sim.awaitUnpins();
    }
}
