package io.taskscratch.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Grace periods, callbacks, barriers and stall reports of {@link Rcu}. */
@Timeout(60)
class RcuTest {
    private final LinkedBlockingQueue<StallReport> stalls = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    private Rcu rcu;

    @BeforeEach
    void setUp() {
        rcu = Rcu.create("test", RcuOptions.defaults().withStallListener(stalls::add).withCallbackErrors(errors::add));
    }

    @AfterEach
    void tearDown() {
        rcu.close();
    }

    /** A thread that enters a section, signals, and stays until released. */
    private static final class HeldReader implements AutoCloseable {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean left = new AtomicBoolean();
        final Thread thread;

        HeldReader(Rcu rcu, Flavor f, int depth) throws InterruptedException {
            thread = Thread.ofPlatform().name("held-" + f).start(() -> {
                for (int d = 0; d < depth; d++) {
                    rcu.readLock(f);
                }
                entered.countDown();
                awaitQuietly(release);
                left.set(true); // before leaving: whoever waited for the section must see it
                for (int d = 0; d < depth; d++) {
                    rcu.readUnlock(f);
                }
            });
            assertTrue(entered.await(10, TimeUnit.SECONDS));
        }

        @Override
        public void close() throws InterruptedException {
            release.countDown();
            thread.join();
        }
    }

    private static void awaitQuietly(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until a grace period of {@code f} has started after {@code before}, i.e. a writer is waiting. */
    private void awaitGracePeriodStart(Flavor f, long before) throws InterruptedException {
        while (rcu.startedGracePeriods(f) <= before) {
            Thread.sleep(1);
        }
    }

    @Test
    void sectionsNestAndReportMembership() {
        assertFalse(rcu.inReadSection(Flavor.NORMAL));
        rcu.readLock(Flavor.NORMAL);
        rcu.readLock(Flavor.NORMAL);
        rcu.readLock(Flavor.TASKS_TRACE);
        assertTrue(rcu.inReadSection(Flavor.NORMAL));
        assertTrue(rcu.inReadSection(Flavor.TASKS_TRACE));
        rcu.readUnlock(Flavor.NORMAL);
        assertTrue(rcu.inReadSection(Flavor.NORMAL));
        rcu.readUnlock(Flavor.NORMAL);
        assertFalse(rcu.inReadSection(Flavor.NORMAL));
        assertTrue(rcu.inReadSection(Flavor.TASKS_TRACE));
        rcu.readUnlock(Flavor.TASKS_TRACE);
        assertFalse(rcu.inReadSection(Flavor.TASKS_TRACE));
    }

    @Test
    void unbalancedUnlockNamesThreadAndFlavor() {
        rcu.readLock(Flavor.NORMAL);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> rcu.readUnlock(Flavor.TASKS_TRACE));
        assertTrue(e.getMessage().contains("TASKS_TRACE"), e.getMessage());
        assertTrue(e.getMessage().contains(Thread.currentThread().getName()), e.getMessage());
        assertTrue(rcu.inReadSection(Flavor.NORMAL), "a refused unlock changes nothing");
        rcu.readUnlock(Flavor.NORMAL);
        assertThrows(IllegalStateException.class, () -> rcu.readUnlock(Flavor.NORMAL));
    }

    @Test
    void sectionsOfOneDomainAreInvisibleToAnother() {
        try (Rcu other = Rcu.create("other")) {
            rcu.readLock(Flavor.NORMAL);
            assertFalse(other.inReadSection(Flavor.NORMAL));
            other.synchronize(Flavor.NORMAL); // would wait for ever if it saw our section
            assertThrows(IllegalStateException.class, () -> other.readUnlock(Flavor.NORMAL));
            rcu.readUnlock(Flavor.NORMAL);
        }
    }

    @Test
    void readGuardIsPreallocatedPerThreadAndFlavor() {
        ReadSection a;
        try (ReadSection s = rcu.read(Flavor.TASKS_TRACE)) {
            a = s;
            assertTrue(rcu.inReadSection(Flavor.TASKS_TRACE));
            assertEquals(Flavor.TASKS_TRACE, s.flavor());
        }
        assertFalse(rcu.inReadSection(Flavor.TASKS_TRACE));
        try (ReadSection s = rcu.read(Flavor.TASKS_TRACE)) {
            assertSame(a, s);
        }
    }

    @Test
    void synchronizeWaitsForEarlierSectionsOfBothFlavors() throws Exception {
        for (Flavor f : Flavor.values()) {
            HeldReader reader = new HeldReader(rcu, f, 3);
            long before = rcu.startedGracePeriods(f);
            CompletableFuture<Boolean> sync = CompletableFuture.supplyAsync(() -> {
                rcu.synchronize(f);
                return reader.left.get();
            });
            awaitGracePeriodStart(f, before);
            assertFalse(sync.isDone(), "synchronize returned while a " + f + " reader was inside");
            reader.close();
            assertTrue(sync.get(10, TimeUnit.SECONDS), f + ": synchronize returned before the reader left");
        }
    }

    @Test
    void synchronizeOfOneFlavorIgnoresTheOther() throws Exception {
        for (Flavor f : Flavor.values()) {
            Flavor other = f == Flavor.NORMAL ? Flavor.TASKS_TRACE : Flavor.NORMAL;
            try (HeldReader reader = new HeldReader(rcu, f, 1)) {
                CompletableFuture.runAsync(() -> rcu.synchronize(other)).get(10, TimeUnit.SECONDS);
                assertFalse(reader.left.get());
            }
        }
    }

    @Test
    void synchronizeInsideOwnSectionIsRefused() {
        rcu.readLock(Flavor.TASKS_TRACE);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> rcu.synchronize(Flavor.TASKS_TRACE));
        assertTrue(e.getMessage().contains("TASKS_TRACE"), e.getMessage());
        rcu.synchronize(Flavor.NORMAL); // the other flavor is fine
        rcu.readUnlock(Flavor.TASKS_TRACE);
    }

    @Test
    void synchronizeKeepsInterruptStatus() {
        Thread.currentThread().interrupt();
        try {
            rcu.synchronize(Flavor.NORMAL);
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void callRcuRunsOffTheCallerAfterTheGracePeriod() throws Exception {
        for (Flavor f : Flavor.values()) {
            CompletableFuture<String> ran = new CompletableFuture<>();
            try (HeldReader reader = new HeldReader(rcu, f, 1)) {
                long before = rcu.startedGracePeriods(f);
                rcu.callRcu(f, () -> ran.complete(reader.left.get() + " " + Thread.currentThread().getName()));
                awaitGracePeriodStart(f, before);
                assertFalse(ran.isDone(), f + " callback ran while a reader was inside");
            }
            String result = ran.get(10, TimeUnit.SECONDS);
            assertTrue(result.startsWith("true "), result);
            assertFalse(result.endsWith(Thread.currentThread().getName()), result);
        }
    }

    @Test
    void chainedCallbackWaitsForBothFlavors() throws Exception {
        CompletableFuture<Boolean> ran = new CompletableFuture<>();
        try (HeldReader trace = new HeldReader(rcu, Flavor.TASKS_TRACE, 1);
             HeldReader normal = new HeldReader(rcu, Flavor.NORMAL, 1)) {
            long before = rcu.completedGracePeriods(Flavor.TASKS_TRACE);
            rcu.callRcuChained(() -> ran.complete(trace.left.get() && normal.left.get()));
            trace.close();
            // The trace grace period ends; the chain then waits for the normal reader.
            while (rcu.completedGracePeriods(Flavor.TASKS_TRACE) == before) {
                Thread.sleep(1);
            }
            assertFalse(ran.isDone(), "chained callback ran while a normal reader was inside");
        }
        assertTrue(ran.get(10, TimeUnit.SECONDS));
    }

    @Test
    void rcuBarrierWaitsForEveryEarlierCallback() {
        AtomicInteger ran = new AtomicInteger();
        int n = 0;
        for (int i = 0; i < 50; i++) {
            rcu.callRcu(Flavor.NORMAL, ran::incrementAndGet);
            rcu.callRcu(Flavor.TASKS_TRACE, ran::incrementAndGet);
            rcu.callRcuChained(ran::incrementAndGet);
            n += 3;
        }
        rcu.rcuBarrier();
        assertEquals(n, ran.get());
    }

    @Test
    void rcuBarrierFromACallbackIsRefused() throws Exception {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        rcu.callRcu(Flavor.NORMAL, () -> {
            try {
                rcu.rcuBarrier();
                seen.complete(null);
            } catch (IllegalStateException e) {
                seen.complete(e);
            }
        });
        assertTrue(seen.get(10, TimeUnit.SECONDS) instanceof IllegalStateException);
    }

    @Test
    void callbackExceptionsAreReportedAndLaterCallbacksStillRun() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        AtomicBoolean after = new AtomicBoolean();
        rcu.callRcu(Flavor.NORMAL, () -> {
            throw boom;
        });
        rcu.callRcu(Flavor.NORMAL, () -> after.set(true));
        rcu.rcuBarrier();
        assertSame(boom, errors.poll(10, TimeUnit.SECONDS));
        assertTrue(after.get());
    }

    @Test
    void closedDomainRefusesCallbacksAndGlobalCannotClose() {
        Rcu r = Rcu.create("closing");
        AtomicBoolean ran = new AtomicBoolean();
        r.callRcu(Flavor.NORMAL, () -> ran.set(true));
        r.close();
        assertTrue(ran.get(), "close runs queued callbacks");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.callRcu(Flavor.NORMAL, () -> { }));
        assertTrue(e.getMessage().contains("closing"), e.getMessage());
        r.synchronize(Flavor.NORMAL); // still works
        assertThrows(IllegalStateException.class, () -> Rcu.global().close());
    }

    @Test
    void stalledReaderIsReportedWithThreadFlavorAndDuration() throws Exception {
        Duration timeout = Duration.ofMillis(20);
        List<StallReport> seen = new CopyOnWriteArrayList<>();
        try (Rcu fast = Rcu.create("stally", RcuOptions.defaults().withStallTimeout(timeout).withStallListener(seen::add))) {
            for (Flavor f : Flavor.values()) {
                seen.clear();
                HeldReader reader = new HeldReader(fast, f, 2);
                CompletableFuture<Void> sync = CompletableFuture.runAsync(() -> fast.synchronize(f));
                while (seen.isEmpty()) {
                    Thread.sleep(1);
                }
                StallReport r = seen.get(0);
                reader.close();
                sync.get(10, TimeUnit.SECONDS);
                assertSame(reader.thread, r.thread());
                assertEquals(f, r.flavor());
                assertEquals(2, r.nesting());
                assertEquals("stally", r.domain());
                assertFalse(r.readerExited());
                assertTrue(r.waited().compareTo(timeout) >= 0, r.waited().toString());
                assertFalse(r.stack().isEmpty());
                String line = r.toString();
                assertTrue(line.contains(reader.thread.getName()) && line.contains(f.toString()) && line.contains(" ms"), line);
            }
        }
    }

    @Test
    void threadExitingInsideASectionIsTreatedAsLeavingAndReported() throws Exception {
        Thread t = Thread.ofPlatform().name("dies-inside").start(() -> rcu.readLock(Flavor.NORMAL));
        t.join();
        assertTrue(rcu.isRegistered(t));
        CompletableFuture.runAsync(() -> rcu.synchronize(Flavor.NORMAL)).get(10, TimeUnit.SECONDS);
        StallReport r = stalls.poll(10, TimeUnit.SECONDS);
        assertNotNull(r);
        assertSame(t, r.thread());
        assertTrue(r.readerExited());
        assertEquals(Flavor.NORMAL, r.flavor());
        assertTrue(r.toString().contains("exited"), r.toString());
        for (StallReport other : stalls) {
            assertTrue(other.thread() != t, "reported twice");
        }
        assertFalse(rcu.isRegistered(t), "the grace period drops the dead thread's record");
    }

    @Test
    void recordsOfEndedThreadsGoEvenWithoutGracePeriods() throws Exception {
        List<Thread> ended = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Thread t = Thread.ofPlatform().start(() -> {
                rcu.readLock(Flavor.NORMAL);
                rcu.readUnlock(Flavor.NORMAL);
            });
            t.join();
            ended.add(t);
        }
        assertTrue(rcu.registeredReaders() < 200, "registry kept " + rcu.registeredReaders() + " records of 200 ended threads");
        assertFalse(rcu.isRegistered(ended.get(0)));
    }

    /**
     * rcutorture in small: writers replace a shared object and free the old one after a grace
     * period (by synchronize or callRcu); readers, some registering late and some exiting,
     * check inside their sections that the object they hold was not freed.
     */
    @Test
    void tortureReadersNeverSeeFreedObjects() throws Exception {
        final class Node {
            volatile boolean freed;
        }
        for (Flavor f : Flavor.values()) {
            AtomicReference<Node> shared = new AtomicReference<>(new Node());
            AtomicInteger violations = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        // Each round is a fresh thread for a while: late registration and exit.
                        Thread child = Thread.ofPlatform().start(() -> {
                            for (int i = 0; i < 2_000; i++) {
                                rcu.readLock(f);
                                Node n = shared.get();
                                for (int k = 0; k < 20; k++) {
                                    if (n.freed) {
                                        violations.incrementAndGet();
                                    }
                                    Thread.onSpinWait();
                                }
                                rcu.readUnlock(f);
                            }
                        });
                        try {
                            child.join();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
            for (int i = 0; i < 300; i++) {
                Node old = shared.getAndSet(new Node());
                if (i % 2 == 0) {
                    rcu.synchronize(f);
                    old.freed = true;
                } else {
                    rcu.callRcu(f, () -> old.freed = true);
                }
            }
            rcu.rcuBarrier();
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(0, violations.get(), f + ": readers saw freed objects");
        }
    }
}
