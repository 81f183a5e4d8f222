package io.taskscratch.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class PerCpuPoolTest {
    /** A pooled object with an identity that shows in messages. */
    record Item(int id) {
    }

    private final TestCpus cpus = new TestCpus();
    private final AtomicInteger ids = new AtomicInteger();
    private final Supplier<Item> factory = () -> new Item(ids.getAndIncrement());

    private PerCpuPool.Builder<Item> builder() {
        return PerCpuPool.builder(cpus, factory).cpus(2);
    }

    private static void assertRefused(String message, Executable call) {
        ScratchException e = assertThrows(ScratchException.class, call);
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void builderRefusesArgumentsOutOfRange() {
        assertRefused("cpus 0: must be in [1, 8192]", () -> builder().cpus(0));
        assertRefused("capacityPerCpu 0: must be in [1, 65536]", () -> builder().capacityPerCpu(0));
        assertRefused("capacityPerCpu 65537: must be in [1, 65536]", () -> builder().capacityPerCpu(65537));
        assertRefused("batch 0: must be >= 1", () -> builder().batch(0));
        assertRefused("transferCapacity -1: must be in [0, 16777216]", () -> builder().transferCapacity(-1));
        assertRefused("transferCapacity 16777217", () -> builder().transferCapacity(16_777_217));
        assertRefused("batch 9: must be <= capacityPerCpu 8", () -> builder().capacityPerCpu(8).batch(9).build());
        assertRefused("transferCapacity (default cpus x capacityPerCpu = 536870912)",
                () -> builder().cpus(8192).capacityPerCpu(65536).build());
        assertEquals("source", assertThrows(NullPointerException.class, () -> PerCpuPool.builder(null, factory)).getMessage());
        assertEquals("factory", assertThrows(NullPointerException.class, () -> PerCpuPool.builder(cpus, null)).getMessage());
    }

    @Test
    void defaultsAreDocumented() {
        PerCpuPool<Item> pool = PerCpuPool.builder(cpus, factory).build();
        assertEquals(Runtime.getRuntime().availableProcessors(), pool.cpus());
        assertEquals(64, pool.capacityPerCpu());
        assertEquals(32, pool.batch());
        assertEquals(pool.cpus() * 64, pool.transferCapacity());
        assertEquals((long) pool.cpus() * 64 * 2, pool.maxHeld());
    }

    @Test
    void freedObjectComesBackOnTheSameCpuLastInFirstOut() {
        PerCpuPool<Item> pool = builder().capacityPerCpu(4).build();
        Item a = pool.allocate();
        Item b = pool.allocate();
        assertEquals(2, pool.created(), "an empty pool makes objects");
        pool.free(a);
        pool.free(b);
        assertEquals(2, pool.heldOnCpu(0));
        assertSame(b, pool.allocate());
        assertSame(a, pool.allocate());
        assertEquals(2, pool.created());
        assertEquals(0, pool.held());
    }

    @Test
    void listsArePerCpu() {
        PerCpuPool<Item> pool = builder().capacityPerCpu(4).build();
        Item a = pool.allocate();
        pool.free(a);
        cpus.currentView().cpu = 1; // sched_getcpu-like view: no notifications, CPU read every time
        cpus.currentView().migrations = CpuView.SEQUENCE_UNKNOWN;
        Item b = pool.allocate();
        assertNotSame(a, b, "CPU 1's list is empty; CPU 0's object stays there");
        assertEquals(1, pool.heldOnCpu(0));
        assertEquals(0, pool.heldOnCpu(1));
        assertEquals(0, pool.rehomes(), "no notifications, no re-homing count");
    }

    @Test
    void schedGetcpuPoolUsesTheListOfTheCpuItReports() {
        PerCpuPool<Item> pool = PerCpuPool.builder(CpuSource.schedGetcpu(), factory).cpus(1).capacityPerCpu(4).build();
        Item a = pool.allocate();
        pool.free(a);
        assertEquals(1, pool.heldOnCpu(0), "one list: every CPU maps to it");
        assertSame(a, pool.allocate());
        assertEquals(1, pool.created());
        assertEquals(0, pool.rehomes(), "no notifications, no re-homing");
    }

    @Test
    void fullListSpillsABatchToTheTransferCacheThenDrops() {
        PerCpuPool<Item> pool = builder().capacityPerCpu(2).batch(1).transferCapacity(1).build();
        Item[] items = {pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate()};
        for (Item i : items) {
            pool.free(i);
        }
        assertEquals(2, pool.heldOnCpu(0));
        assertEquals(1, pool.heldInTransferCache());
        assertEquals(1, pool.dropped());
        assertEquals(3, pool.held());
        assertEquals(pool.capacityPerCpu() + pool.transferCapacity(), pool.held(), "CPU 0's list and the transfer cache are full");
        assertEquals(pool.created(), pool.held() + pool.dropped(), "every object is in one place");
    }

    @Test
    void emptyListRefillsFromTheTransferCache() {
        PerCpuPool<Item> pool = builder().capacityPerCpu(2).batch(2).transferCapacity(4).build();
        Item[] items = {pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate()};
        for (Item i : items) {
            pool.free(i); // 2 on CPU 0's list, then 2 spilled
        }
        assertEquals(2, pool.heldInTransferCache());
        cpus.currentView().migrateTo(1);
        Item got = pool.allocate();
        assertEquals(1, pool.heldOnCpu(1), "a batch of 2 came over, one handed out");
        assertEquals(0, pool.heldInTransferCache());
        assertTrue(got == items[0] || got == items[1], "from the spilled batch: " + got);
        assertEquals(4, pool.created());
    }

    @Test
    void threadReHomesOnlyWhenItsMigrationCountChanges() {
        PerCpuPool<Item> pool = builder().capacityPerCpu(4).build();
        TestCpus.View v = cpus.currentView();
        pool.free(new Item(-1)); // home: CPU 0, migrations 0
        int reads = v.cpuReads;
        v.cpu = 1; // the CPU changed but no notification came (yet): the home stands
        pool.free(new Item(-2));
        assertEquals(reads, v.cpuReads, "no migration, no CPU read");
        assertEquals(2, pool.heldOnCpu(0));
        v.migrations++; // the notification
        pool.free(new Item(-3));
        assertEquals(1, pool.heldOnCpu(1));
        assertEquals(1, pool.rehomes());
        assertEquals(reads + 1, v.cpuReads);
    }

    @Test
    void factoryReturningNullIsRefusedAndChangesNothing() {
        PerCpuPool<Item> pool = PerCpuPool.<Item>builder(cpus, () -> null).cpus(2).build();
        NullPointerException e = assertThrows(NullPointerException.class, pool::allocate);
        assertEquals("the pool's factory returned null", e.getMessage());
        assertEquals(0, pool.held());
        assertEquals("obj", assertThrows(NullPointerException.class, () -> pool.free(null)).getMessage());
        assertEquals(0, pool.held());
    }

    @Test
    void transferCacheLetsGoOfWhatItHandsOut() {
        PerCpuPool<Item> pool = builder().capacityPerCpu(1).batch(1).transferCapacity(2).build();
        Item a = pool.allocate();
        Item b = pool.allocate();
        pool.free(a);
        pool.free(b); // a spilled
        cpus.currentView().migrateTo(1);
        assertSame(a, pool.allocate());
        assertEquals(0, pool.heldInTransferCache());
        assertEquals(1, pool.held());
    }

    /**
     * Seeded: threads allocate and free at random on random CPUs (sometimes all on CPU 0: every
     * thread "read the same CPU id"), keeping up to 8 objects each; no object is ever handed out
     * to two holders, and at the end every object made is in the pool or was dropped.
     */
    @Test
    void randomConcurrentUseNeverLosesOrDuplicatesAnObject() throws Exception {
        for (boolean sameCpu : new boolean[] {false, true}) {
            PerCpuPool<Item> pool = builder().capacityPerCpu(4).batch(2).transferCapacity(6).build();
            Set<Item> out = ConcurrentHashMap.newKeySet();
            AtomicInteger duplicates = new AtomicInteger();
            int threads = 4;
            CyclicBarrier start = new CyclicBarrier(threads);
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                long seed = 7 + t;
                ts[t] = new Thread(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    TestCpus.View v = cpus.currentView();
                    ArrayDeque<Item> mine = new ArrayDeque<>();
                    PerCpuCounterTest.await(start);
                    for (int i = 0; i < 100_000; i++) {
                        if (rnd.nextInt(8) == 0) {
                            v.migrateTo(sameCpu ? 0 : rnd.nextInt(2));
                        }
                        if (mine.isEmpty() || (mine.size() < 8 && rnd.nextBoolean())) {
                            Item it = pool.allocate();
                            if (!out.add(it)) {
                                duplicates.incrementAndGet();
                            }
                            mine.push(it);
                        } else {
                            Item it = rnd.nextBoolean() ? mine.pop() : mine.removeLast();
                            out.remove(it);
                            pool.free(it);
                        }
                    }
                    for (Item it : mine) {
                        out.remove(it);
                        pool.free(it);
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            assertEquals(0, duplicates.get(), "objects handed out twice, sameCpu=" + sameCpu);
            assertTrue(out.isEmpty());
            assertTrue(pool.held() <= pool.maxHeld());
            assertEquals(pool.created(), pool.held() + pool.dropped(), "lost objects, sameCpu=" + sameCpu);
        }
    }
}
