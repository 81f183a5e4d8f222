package io.taskscratch.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class PerCpuCounterTest {
    @Test
    void refusesCellCountsOutOfRange() {
        for (int bad : new int[] {0, -1, CpuSlots.MAX_SLOTS + 1}) {
            ScratchException e = assertThrows(ScratchException.class, () -> PerCpuCounter.create(new TestCpus(), bad));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("cpus " + bad + ": must be in [1, 8192]"), e.getMessage());
        }
        assertEquals("source", assertThrows(NullPointerException.class, () -> PerCpuCounter.create(null, 2)).getMessage());
    }

    @Test
    void addsGoToTheCellOfTheThreadsCpu() {
        TestCpus cpus = new TestCpus();
        PerCpuCounter c = PerCpuCounter.create(cpus, 4);
        cpus.currentView().cpu = 2;
        c.increment();
        c.add(10);
        cpus.currentView().cpu = 6; // past the cells: 6 mod 4
        c.add(100);
        cpus.currentView().cpu = -1; // an exited task's CPU_EXITED: floorMod(-1, 4) = 3
        c.add(1000);
        assertEquals(0, c.cell(0));
        assertEquals(0, c.cell(1));
        assertEquals(111, c.cell(2));
        assertEquals(1000, c.cell(3));
        assertEquals(1111, c.sum());
        assertEquals(4, c.cells());
        assertThrows(IndexOutOfBoundsException.class, () -> c.cell(4));
    }

    @Test
    void explicitViewIsUsedInsteadOfTheSources() {
        TestCpus cpus = new TestCpus();
        PerCpuCounter c = PerCpuCounter.create(cpus, 2);
        TestCpus.View other = new TestCpus.View();
        other.cpu = 1;
        c.add(other, 5);
        assertEquals(5, c.cell(1));
        assertEquals(0, c.cell(0));
    }

    /**
     * Seeded: threads add random amounts on random CPUs, and in the second round all of them on
     * CPU 0 (every thread "read the same CPU id"): no add is lost either way; LongAdder, fed the
     * same amounts, is the reference.
     */
    @Test
    void concurrentAddsAreNeverLostWhateverTheCpuIds() throws Exception {
        for (boolean sameCpu : new boolean[] {false, true}) {
            TestCpus cpus = new TestCpus();
            PerCpuCounter c = PerCpuCounter.create(cpus, 2);
            LongAdder reference = new LongAdder();
            int threads = 4;
            CyclicBarrier start = new CyclicBarrier(threads);
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                long seed = 42 + t;
                ts[t] = new Thread(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    TestCpus.View v = cpus.currentView();
                    await(start);
                    for (int i = 0; i < 50_000; i++) {
                        v.cpu = sameCpu ? 0 : rnd.nextInt(3);
                        long x = rnd.nextInt(1, 100);
                        c.add(x);
                        reference.add(x);
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            assertEquals(reference.sum(), c.sum(), "sameCpu=" + sameCpu);
            assertEquals(c.sum(), c.cell(0) + c.cell(1));
        }
    }

    static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
