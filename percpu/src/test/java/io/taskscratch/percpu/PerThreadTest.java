package io.taskscratch.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PerThreadTest {
    private final AtomicInteger made = new AtomicInteger();
    private final PerThread<Thread> owner = new PerThread<>(() -> {
        made.incrementAndGet();
        return Thread.currentThread();
    });

    @Test
    void threadsSharingACacheSlotTakeTurnsAndEachGetsItsOwnValue() throws Exception {
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Semaphore aTurn = new Semaphore(1);
        Semaphore bTurn = new Semaphore(0);
        int rounds = 50;
        Thread a = new Thread(() -> alternate(aTurn, bTurn, rounds, failures), "a");
        // Thread ids are handed out in order: the 1024th thread after a lands in a's cache slot.
        Thread b;
        do {
            b = new Thread(() -> alternate(bTurn, aTurn, rounds, failures), "b");
        } while ((b.threadId() - a.threadId()) % PerThread.ENTRIES != 0);
        a.start();
        b.start();
        a.join();
        b.join();
        assertEquals(List.of(), List.copyOf(failures));
        assertEquals(2, made.get(), "each thread's value is made once, however often the other evicts it");
    }

    private void alternate(Semaphore mine, Semaphore other, int rounds, Queue<Throwable> failures) {
        try {
            for (int i = 0; i < rounds; i++) {
                mine.acquire();
                assertSame(Thread.currentThread(), owner.get(), "round " + i);
                assertSame(Thread.currentThread(), owner.get(), "round " + i + ", cached");
                other.release();
            }
        } catch (Throwable t) {
            failures.add(t);
            other.release(rounds);
        }
    }

    @Test
    void moreThreadsThanCacheSlotsEachGetTheirOwnValue() throws Exception {
        int threads = PerThread.ENTRIES + 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = Thread.ofPlatform().stackSize(64 * 1024).unstarted(() -> {
                try {
                    start.await();
                    for (int k = 0; k < 20; k++) {
                        assertSame(Thread.currentThread(), owner.get());
                        Thread.yield();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            all.add(t);
            t.start();
        }
        for (Thread t : all) {
            t.join();
        }
        assertEquals(List.of(), List.copyOf(failures));
        assertEquals(threads, made.get());
    }
}
