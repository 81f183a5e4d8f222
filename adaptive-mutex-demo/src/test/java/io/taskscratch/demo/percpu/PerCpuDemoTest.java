package io.taskscratch.demo.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.percpu.CpuSource;
import org.junit.jupiter.api.Test;

/** The demo's model runs and its per-thread baseline (the shared queue needs Agrona's flag and is left to the demo). */
class PerCpuDemoTest {
    @Test
    void inTheModelThePerCpuPoolHoldsPerCpuAndThePerThreadPoolPerTask() {
        long[] perCpu = PerCpuDemo.modelRun("percpu", 100, 2);
        long[] perThread = PerCpuDemo.modelRun("threadlocal", 100, 2);
        long bound = 2L * PerCpuDemo.CAPACITY * 2; // 2 lists of 64 + a transfer cache of 2 x 64
        assertTrue(perCpu[0] > 0 && perCpu[0] <= bound, "per-CPU pool holds " + perCpu[0] + ", bound " + bound);
        assertTrue(perThread[0] >= 50L * PerCpuDemo.BURST, "per-thread pool holds " + perThread[0] + " for 100 tasks");
        assertEquals(perCpu[2], perThread[2], "same seed, same schedule: the same migrations");
    }

    @Test
    void theModelsNotificationsReHomeThePool() {
        long[] r = PerCpuDemo.modelRun("percpu", 8, 2);
        assertTrue(r[2] > 0, "the model migrated no task");
        assertTrue(r[1] > 0 && r[1] <= r[2], "re-homes " + r[1] + " for " + r[2] + " migrations");
    }

    @Test
    void threadLocalPoolHoldsWhatEachThreadCached() throws Exception {
        ComparedPool<byte[]> pool = PerCpuDemo.newPool("threadlocal", CpuSource.schedGetcpu(), 2);
        byte[] mine = pool.allocate();
        pool.free(mine);
        Thread other = new Thread(() -> {
            byte[] a = pool.allocate();
            byte[] b = pool.allocate();
            pool.free(a);
            pool.free(b);
        });
        other.start();
        other.join();
        assertEquals(3, pool.held());
        assertEquals(mine, pool.allocate(), "a thread gets back what it freed");
        assertEquals(2, pool.held());
    }
}
