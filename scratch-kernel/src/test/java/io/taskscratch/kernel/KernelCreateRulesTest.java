package io.taskscratch.kernel;

import static io.taskscratch.kernel.KernelAssumptions.assumeKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.internal.os.Libc;
import io.taskscratch.map.MapFlags;
import io.taskscratch.map.MapSpec;
import io.taskscratch.map.PointeeType;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.map.ValueType;
import io.taskscratch.region.UserMemory;
import io.taskscratch.task.TaskHandle;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every create-time rule of the simulated map against the kernel: the same value layout is
 * created as a simulated {@link TaskStorageMap} and as a real task-storage map whose BTF says the
 * same ({@link KernelTestMap}); both must succeed or fail with the same code. A misaligned uptr,
 * and every field of a value whose special fields overlap, must then be plain data on both: an
 * update with garbage in its bytes succeeds, and F_LOCK finds no spin lock.
 */
class KernelCreateRulesTest {
    private static final PointeeType P = PointeeType.user("user_data", 40);

    private static Map<String, ValueType> layouts() {
        Map<String, ValueType> m = new LinkedHashMap<>();
        m.put("uptr at 0", ValueType.builder(8).uptr("p", 0, P).build());
        m.put("two uptrs at 0 and 8", ValueType.builder(16).uptr("a", 0, P).uptr("b", 8, P).build());
        m.put("uptr at 4 (misaligned)", ValueType.builder(16).uptr("p", 4, P).build());
        m.put("uptr at 12 (misaligned)", ValueType.builder(24).uptr("p", 12, P).build());
        m.put("spin lock at 8 + uptr at 0", ValueType.builder(16).uptr("p", 0, P).spinLock(8).build());
        m.put("spin lock at 2 (misaligned)", ValueType.builder(8).spinLock(2).build());
        m.put("uptr at 0 overlapping spin lock at 4", ValueType.builder(16).uptr("p", 0, P).spinLock(4).build());
        m.put("misaligned uptr at 4 over spin lock at 8", ValueType.builder(16).uptr("p", 4, P).spinLock(8).build());
        m.put("two uptrs overlapping (0 and 0)", ValueType.builder(8).uptr("a", 0, P).uptr("b", 0, P).build());
        m.put("spin lock at 8 declared before uptr at 0", ValueType.builder(16).spinLock(8).uptr("p", 0, P).build());
        m.put("overlapping fields with a too-big pointee", ValueType.builder(16).uptr("p", 0, PointeeType.user("big",
                (int) Libc.pageSize() + 8)).spinLock(4).build());
        m.put("two spin locks", ValueType.builder(16).uptr("p", 0, P).spinLock(8).spinLock(12).build());
        m.put("two spin locks, one misaligned", ValueType.builder(16).spinLock(0).spinLock(6).build());
        m.put("uptr pointee larger than a page", ValueType.builder(8)
                .uptr("p", 0, PointeeType.user("big", (int) Libc.pageSize() + 8)).build());
        m.put("uptr pointee empty (size 0)", ValueType.builder(8).uptr("p", 0, PointeeType.user("empty", 0)).build());
        m.put("uptr to a kernel struct (task_struct)", ValueType.builder(8)
                .uptr("p", 0, new PointeeType("task_struct", 64, true)).build());
        m.put("uptr at 8 in an 8-byte value (outside)", ValueType.builder(8).uptr("p", 8, P).build());
        m.put("spin lock at 8 in an 8-byte value (outside)", ValueType.builder(8).spinLock(8).build());
        m.put("uptr pointee of exactly a page", ValueType.builder(8)
                .uptr("p", 0, PointeeType.user("page", (int) Libc.pageSize())).build());
        return m;
    }

    @Test
    void everyCreateRuleGivesTheKernelsCode() {
        assumeKernel("KernelCreateRulesTest");
        List<String> table = new ArrayList<>();
        List<String> disagree = new ArrayList<>();
        for (Map.Entry<String, ValueType> e : layouts().entrySet()) {
            Errno sim;
            try {
                TaskStorageMap.create("rules", MapSpec.taskStorage(e.getValue())).close();
                sim = null;
            } catch (ScratchException x) {
                sim = x.errno();
                assertTrue(x.getMessage().contains("\"rules\""), "the message names the map: " + x.getMessage());
            }
            Object k = KernelTestMap.create(e.getValue());
            Errno kernel = k instanceof KernelTestMap map ? closeAndSucceed(map) : KernelErrors.of(-(Integer) k);
            String line = String.format("[scratch-kernel] create %-44s simulated %-10s kernel %-10s %s",
                    e.getKey(), sim, kernel, sim == kernel ? "agree" : "DISAGREE");
            table.add(line);
            if (sim != kernel) {
                disagree.add(line);
            }
        }
        table.forEach(System.out::println);
        System.out.printf("[scratch-kernel] create rules: %d of %d agree%n", table.size() - disagree.size(), table.size());
        assertEquals(List.of(), disagree);
    }

    private static Errno closeAndSucceed(KernelTestMap map) {
        map.close();
        return null;
    }

    @Test
    void misalignedOrOverlappingUptrsArePlainDataOnBoth() {
        assumeKernel("KernelCreateRulesTest");
        Map<String, ValueType> plain = new LinkedHashMap<>();
        plain.put("uptr at 4 (misaligned)", ValueType.builder(16).uptr("p", 4, P).build());
        plain.put("uptr at 0 overlapping spin lock at 4", ValueType.builder(16).uptr("p", 0, P).spinLock(4).build());
        plain.put("two uptrs at 0 (overlapping)", ValueType.builder(8).uptr("p", 0, P).uptr("q", 0, P).build());
        TaskHandle me = TaskHandle.current();
        int key = me.fd();
        long garbage = -16; // a uptr holding it would be EFAULT (address + size - 1 overflows)
        try {
            for (Map.Entry<String, ValueType> e : plain.entrySet()) {
                ValueType v = e.getValue();
                KernelTestMap kernel = (KernelTestMap) KernelTestMap.create(v);
                try (TaskStorageMap sim = TaskStorageMap.create("plain", MapSpec.taskStorage(v))) {
                    int p = v.fields().stream().map(ValueType.Field::name).toList().indexOf("p");
                    long[] addresses = new long[v.fields().size()];
                    addresses[p] = garbage;
                    assertEquals(0, kernel.update(key, addresses, 0), e.getKey() + ": the kernel neither checks nor pins it");
                    var value = sim.newValue();
                    value.data().set(ValueLayout.JAVA_LONG_UNALIGNED, v.fields().get(p).offset(), garbage);
                    sim.update(me, value, 0);
                    assertEquals(garbage, sim.lookup(me).data().get(ValueLayout.JAVA_LONG_UNALIGNED, v.fields().get(p).offset()),
                            e.getKey() + ": plain data is stored and read back as it is");
                    IllegalArgumentException iae = assertThrows(IllegalArgumentException.class,
                            () -> value.setUptr("p", UserMemory.ofAddress(garbage)));
                    assertTrue(iae.getMessage().contains("\"p\"") && iae.getMessage().contains("plain data"), iae.getMessage());
                    int lockRc = kernel.update(key, addresses, MapFlags.F_LOCK);
                    Errno simLock = KernelDifferentialTest.simulated(() -> sim.update(me, value, MapFlags.F_LOCK));
                    assertEquals(KernelErrors.of(-lockRc), simLock, e.getKey() + ": F_LOCK, kernel rc " + lockRc);
                    System.out.printf("[scratch-kernel] plain data: %-44s update ok on both, F_LOCK %s on both%n", e.getKey(), simLock);
                } finally {
                    assertEquals(0, kernel.delete(key));
                    kernel.close();
                }
            }
        } finally {
            me.close(); // closes its pidfd
        }
    }
}
