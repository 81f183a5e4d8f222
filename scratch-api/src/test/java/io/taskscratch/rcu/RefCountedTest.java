package io.taskscratch.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Increment-if-not-zero, one destroyer, no resurrection, free after a grace period. */
@Timeout(60)
class RefCountedTest {
    private final Rcu rcu = Rcu.create("refs");
    private final GraceTracker lifetime = new GraceTracker(rcu);
    private final Queue<Obj> all = new ConcurrentLinkedQueue<>();

    @AfterEach
    void tearDown() {
        rcu.close();
    }

    private final class Obj extends RefCounted {
        final AtomicInteger frees = new AtomicInteger();
        final int id;

        Obj(int id) {
            super(lifetime);
            this.id = id;
            all.add(this);
        }

        @Override
        protected void free() {
            frees.incrementAndGet();
        }

        @Override
        public String toString() {
            return "Obj" + id;
        }
    }

    @Test
    void lastReleaseFreesOnceAfterAGracePeriod() throws Exception {
        Obj o = new Obj(1);
        assertEquals(1, o.refCount());
        o.acquire();
        assertFalse(o.release());
        CountDownLatch in = new CountDownLatch(1);
        CountDownLatch out = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().start(() -> {
            rcu.readLock(Flavor.NORMAL);
            in.countDown();
            try {
                out.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            rcu.readUnlock(Flavor.NORMAL);
        });
        try {
            assertTrue(in.await(10, TimeUnit.SECONDS));
            long before = rcu.startedGracePeriods(Flavor.NORMAL);
            assertTrue(o.release());
            assertTrue(o.isDying());
            assertFalse(o.tryAcquire(), "no resurrection");
            IllegalStateException e = assertThrows(IllegalStateException.class, o::acquire);
            assertTrue(e.getMessage().contains("Obj1"), e.getMessage());
            while (rcu.startedGracePeriods(Flavor.NORMAL) == before) {
                Thread.sleep(1);
            }
            assertEquals(0, o.frees.get(), "freed while a reader was inside");
        } finally {
            out.countDown();
            reader.join();
        }
        rcu.rcuBarrier();
        assertEquals(1, o.frees.get());
        assertThrows(IllegalStateException.class, o::release);
        assertEquals(0, o.refCount(), "a refused release changes nothing");
    }

    @Test
    void registryLookupSkipsDyingEntriesAndReinsertReplacesThem() {
        RefRegistry<String, Obj> reg = new RefRegistry<>(rcu, Flavor.NORMAL);
        Obj a = reg.acquireOrCreate("k", k -> new Obj(1));
        assertSame(a, reg.acquireOrCreate("k", k -> new Obj(2)));
        assertEquals(2, a.refCount());
        assertSame(a, reg.acquire("k"));
        assertFalse(a.release());
        assertFalse(a.release());
        assertTrue(a.release());
        assertNull(reg.acquire("k"));
        assertEquals(0, reg.size(), "the last release unlinks");
        rcu.rcuBarrier();
        assertEquals(1, a.frees.get());
        assertNull(reg.acquire("missing"));
    }

    @Test
    void reinsertFindingADyingEntryReplacesIt() {
        RefRegistry<String, Obj> reg = new RefRegistry<>(rcu, Flavor.NORMAL);
        Obj a = reg.acquireOrCreate("k", k -> new Obj(1));
        // The destroyer is preempted between its count drop and the unlink: a is dying but mapped.
        assertTrue(a.dropReference());
        rcu.readLock(Flavor.NORMAL);
        assertSame(a, reg.peek("k"), "a peek may still see the dying entry");
        rcu.readUnlock(Flavor.NORMAL);
        assertNull(reg.acquire("k"), "a lookup never revives it");
        Obj b = reg.acquireOrCreate("k", k -> new Obj(2));
        assertNotSame(a, b);
        assertEquals(1, b.refCount());
        assertEquals(0, a.refCount(), "still dying");
        a.destroy(); // the destroyer resumes: its unlink must not remove the replacement
        assertSame(b, reg.acquire("k"));
        assertFalse(b.release());
        rcu.rcuBarrier();
        assertEquals(1, a.frees.get());
        assertEquals(0, b.frees.get());
        assertTrue(b.release());
        rcu.rcuBarrier();
        assertEquals(1, b.frees.get());
        assertEquals(0, reg.size());
    }

    @Test
    void peekOutsideASectionIsRefused() {
        RefRegistry<String, Obj> reg = new RefRegistry<>(rcu, Flavor.TASKS_TRACE);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> reg.peek("k"));
        assertTrue(e.getMessage().contains("TASKS_TRACE") && e.getMessage().contains("peek(k)"), e.getMessage());
        rcu.readLock(Flavor.TASKS_TRACE);
        assertNull(reg.peek("k"));
        rcu.readUnlock(Flavor.TASKS_TRACE);
        Obj o = reg.acquireOrCreate("k", k -> new Obj(1));
        assertTrue(o.lifetime().hasSleepable(), "entries seen by sleepable peekers take the chained free");
        assertTrue(o.release());
    }

    @Test
    void entriesMustUseTheRegistrysDomain() {
        try (Rcu other = Rcu.create("other")) {
            RefRegistry<String, RefCounted> reg = new RefRegistry<>(other, Flavor.NORMAL);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> reg.acquireOrCreate("k", k -> new Obj(1)));
            assertTrue(e.getMessage().contains("'refs'") && e.getMessage().contains("'other'"), e.getMessage());
            assertEquals(0, reg.size());
        }
    }

    /**
     * Seeded random churn: threads look up, create, acquire and release a few keys. Every object
     * is freed exactly once, never while someone holds a reference, and the table ends empty.
     */
    @Test
    void randomChurnFreesEachObjectExactlyOnce() throws Exception {
        RefRegistry<Integer, Obj> reg = new RefRegistry<>(rcu, Flavor.NORMAL);
        AtomicInteger ids = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long seed = 0x5eed_0000L + t;
            threads.add(Thread.ofPlatform().start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                List<Obj> held = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    int key = rnd.nextInt(4);
                    int op = rnd.nextInt(4);
                    if (op == 0) {
                        held.add(reg.acquireOrCreate(key, k -> new Obj(ids.incrementAndGet())));
                    } else if (op == 1) {
                        Obj o = reg.acquire(key);
                        if (o != null) {
                            held.add(o);
                        }
                    } else if (op == 2) {
                        rcu.readLock(Flavor.NORMAL);
                        Obj o = reg.peek(key);
                        if (o != null && o.frees.get() != 0) {
                            violations.incrementAndGet();
                        }
                        rcu.readUnlock(Flavor.NORMAL);
                    } else if (!held.isEmpty()) {
                        held.remove(rnd.nextInt(held.size())).release();
                    }
                    for (Obj o : held) {
                        if (o.frees.get() != 0 || o.refCount() <= 0) {
                            violations.incrementAndGet();
                        }
                    }
                }
                held.forEach(RefCounted::release);
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        rcu.rcuBarrier();
        assertEquals(0, violations.get());
        assertEquals(0, reg.size());
        assertTrue(all.size() > 4, "churn created replacements");
        for (Obj o : all) {
            assertEquals(1, o.frees.get(), o + " frees");
            assertEquals(0, o.refCount());
        }
    }
}
