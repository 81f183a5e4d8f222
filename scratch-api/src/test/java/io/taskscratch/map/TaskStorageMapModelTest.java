package io.taskscratch.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.ScratchException;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.region.UptrTarget;
import io.taskscratch.task.TaskHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A seeded random sequence of map, task and region operations, each checked against a
 * simple reference model of two task-storage maps (outcome or errno, and which region a
 * program sees). Replaces and deletes are followed by a grace-period barrier so that the
 * pins are deterministic.
 */
class TaskStorageMapModelTest {
    private static final int TASKS = 4;
    private static final int REGIONS = 6;
    private static final int MAPS = 2;
    private static final int OPS = 4000;
    private static final long[] FLAGS = {MapFlags.ANY, MapFlags.NOEXIST, MapFlags.EXIST, MapFlags.F_LOCK, 3, 8};

    /** The reference model: element[map][task] = region index, -1 NULL, -2 absent. */
    private static final class Model {
        final int[][] element = new int[MAPS][TASKS];
        final boolean[] dead = new boolean[TASKS];
        final boolean[] closedHandle = new boolean[TASKS];
        final boolean[] freed = new boolean[REGIONS];

        Model() {
            for (int[] m : element) {
                Arrays.fill(m, -2);
            }
        }

        String keyError(int t) {
            return closedHandle[t] ? "EBADF" : dead[t] ? "ENOENT" : null;
        }

        boolean pinned(int r) {
            for (int[] m : element) {
                for (int v : m) {
                    if (v == r) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    @Test
    void randomOperationsMatchTheReferenceModel() {
        List<String> first = run(20261121L);
        assertEquals(OPS, first.size());
        assertEquals(first, run(20261121L), "same seed, same result");
        assertTrue(first.stream().distinct().count() > 10, "the sequence exercises many outcomes: " + first.stream().distinct().toList());
    }

    private static List<String> run(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        RegionLayout layout = RegionLayout.defaults();
        ValueType value = ValueType.singleUptr("udata", PointeeType.of(layout));
        RegionAllocator alloc = RegionAllocator.create(layout, PinMode.UNPINNED);
        TaskStorageMap[] maps = new TaskStorageMap[MAPS];
        for (int i = 0; i < MAPS; i++) {
            maps[i] = TaskStorageMap.create("m" + i, MapSpec.taskStorage(value));
        }
        TaskHandle[] tasks = new TaskHandle[TASKS];
        for (int i = 0; i < TASKS; i++) {
            tasks[i] = TaskHandle.simulated("t" + i);
        }
        ScratchRegion[] regions = new ScratchRegion[REGIONS];
        for (int i = 0; i < REGIONS; i++) {
            regions[i] = alloc.allocate();
        }
        Model model = new Model();
        List<String> trace = new ArrayList<>();
        for (int op = 0; op < OPS; op++) {
            int m = rnd.nextInt(MAPS);
            int t = rnd.nextInt(TASKS);
            int r = rnd.nextInt(REGIONS + 1) - 1; // -1 = NULL
            String expected;
            String actual;
            switch (rnd.nextInt(10)) {
                case 0, 1, 2 -> {
                    long flags = FLAGS[rnd.nextInt(FLAGS.length)];
                    expected = expectUpdate(model, m, t, r, flags);
                    TaskStorageMap map = maps[m];
                    MapValue v = map.newValue().setUptr("udata", r < 0 ? null : regions[r]);
                    actual = outcome(() -> {
                        map.update(tasks[t], v, flags);
                        return "OK";
                    });
                    Rcu.global().rcuBarrier();
                }
                case 3 -> {
                    expected = model.keyError(t) != null ? model.keyError(t) : model.element[m][t] == -2 ? "ENOENT" : "OK";
                    actual = outcome(() -> maps[m].lookup(tasks[t]).uptr("udata") == null ? "OK" : "LEAK");
                }
                case 4 -> {
                    expected = model.keyError(t) != null ? model.keyError(t) : model.element[m][t] == -2 ? "ENOENT" : "OK";
                    if ("OK".equals(expected)) {
                        model.element[m][t] = -2;
                    }
                    actual = outcome(() -> {
                        maps[m].delete(tasks[t]);
                        return "OK";
                    });
                    Rcu.global().rcuBarrier();
                }
                case 5 -> {
                    boolean create = rnd.nextBoolean();
                    if (model.keyError(t) != null) {
                        expected = "null";
                    } else {
                        if (model.element[m][t] == -2 && create) {
                            model.element[m][t] = -1;
                        }
                        int e = model.element[m][t];
                        expected = e == -2 ? "null" : "elem:" + e;
                    }
                    try (var section = Rcu.global().read(Flavor.NORMAL)) {
                        StorageElement got = maps[m].taskStorageGet(tasks[t], create ? MapFlags.F_CREATE : 0);
                        actual = got == null ? "null" : "elem:" + indexOf(regions, got.uptr("udata"));
                    }
                }
                case 6 -> {
                    expected = model.dead[t] ? "ENOENT" : "OK";
                    if (!model.dead[t]) {
                        model.dead[t] = true;
                        for (int[] mm : model.element) {
                            mm[t] = -2;
                        }
                    }
                    actual = outcome(() -> {
                        tasks[t].exit();
                        return "OK";
                    });
                }
                case 7 -> {
                    if (rnd.nextBoolean()) {
                        tasks[t].close();
                        model.closedHandle[t] = true;
                        expected = actual = "closed";
                    } else {
                        if (!model.dead[t]) {
                            tasks[t].exit(); // the old task goes away, with its storage
                        }
                        tasks[t] = TaskHandle.simulated("t" + t + "@" + op);
                        model.closedHandle[t] = false;
                        model.dead[t] = false;
                        for (int[] mm : model.element) {
                            mm[t] = -2;
                        }
                        expected = actual = "respawn";
                    }
                }
                default -> {
                    int ri = Math.max(r, 0);
                    if (model.freed[ri]) {
                        regions[ri] = alloc.allocate();
                        model.freed[ri] = false;
                        expected = actual = "realloc";
                    } else {
                        expected = model.pinned(ri) ? "EBUSY" : "OK";
                        if ("OK".equals(expected)) {
                            model.freed[ri] = true;
                        }
                        actual = outcome(() -> {
                            regions[ri].close();
                            return "OK";
                        });
                    }
                }
            }
            assertEquals(expected, actual, "op " + op + " (seed " + seed + ")");
            trace.add(actual);
        }
        for (TaskStorageMap map : maps) {
            map.close();
        }
        for (int i = 0; i < REGIONS; i++) {
            if (!model.freed[i]) {
                regions[i].close(); // map close unpinned everything at once
            }
        }
        return trace;
    }

    /** The kernel's order: F_LOCK without a spin lock, the uptr pin, the key, the flags, NOEXIST/EXIST. */
    private static String expectUpdate(Model model, int m, int t, int r, long flags) {
        if (flags == MapFlags.F_LOCK) {
            return "EINVAL";
        }
        if (r >= 0 && model.freed[r]) {
            return "EFAULT";
        }
        if (model.keyError(t) != null) {
            return model.keyError(t);
        }
        if (flags == 3 || flags == 8) {
            return "EINVAL";
        }
        boolean exists = model.element[m][t] != -2;
        if (flags == MapFlags.NOEXIST && exists) {
            return "EEXIST";
        }
        if (flags == MapFlags.EXIST && !exists) {
            return "ENOENT";
        }
        model.element[m][t] = r;
        return "OK";
    }

    private static int indexOf(ScratchRegion[] regions, UptrTarget target) {
        for (int i = 0; i < regions.length; i++) {
            if (regions[i] == target) {
                return i;
            }
        }
        return target == null ? -1 : -99;
    }

    private static String outcome(Supplier<String> op) {
        try {
            return op.get();
        } catch (ScratchException e) {
            return e.errno().name();
        } catch (IllegalStateException e) {
            return "ISE";
        }
    }
}
