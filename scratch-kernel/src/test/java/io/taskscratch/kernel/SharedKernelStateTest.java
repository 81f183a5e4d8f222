package io.taskscratch.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.mutex.OwnerState;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.PlatformTask;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shared kernel owner-state source, an opt-in: threads register on their first contended
 * acquisition, owners' states come from real kernel writes, virtual threads stay UNKNOWN.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SharedKernelStateTest {

    @Test
    void theDefaultSourceIsNoneAndKernelStateIsAnOptIn() {
        assertSame(OwnerStateSource.none(), AdaptiveMutex.builder(NativePlatform.instance()).build().stateSource());
        assertSame(OwnerStateSource.none(), AdaptiveMutex.create(NativePlatform.instance(), OwnerStateSource.none()).stateSource());
        assertSame(KernelOwnerState.shared(), AdaptiveMutex.builder(NativePlatform.instance())
                .stateSource(KernelOwnerState.shared()).build().stateSource(), "the opt-in");
    }

    @Test
    void nothingHappensBeforeTheFirstContendedAcquisition() throws Exception {
        SharedKernelState own = new SharedKernelState();
        AdaptiveMutex m = AdaptiveMutex.builder(NativePlatform.instance()).stateSource(own).build();
        m.lock();
        m.unlock();
        assertEquals("kernel (not probed yet)", own.name(), "building and the fast path probe nothing");
        contend(m);
        own.availability(); // waits for the probe the contended acquisition started
        assertNotEquals("kernel (not probed yet)", own.name());
    }

    @Test
    void threadsRegisterOnTheirFirstContendedAcquisitionAndOwnersReadTheirKernelState() throws Exception {
        KernelAssumptions.assumeKernel("threadsRegisterOnTheirFirstContendedAcquisitionAndOwnersReadTheirKernelState");
        SharedKernelState auto = KernelOwnerState.shared();
        assertTrue(auto.availability().available(), auto.availability().reason()); // the probe runs in the background
        AdaptiveMutex m = AdaptiveMutex.builder(NativePlatform.instance()).stateSource(auto).build();
        assertSame(auto, m.stateSource());
        try (Workers w = new Workers()) {
            Thread fastOnly = w.start("fast-only", () -> {
                m.lock();
                m.unlock();
            });
            fastOnly.join();
            assertNull(auto.registration(fastOnly), "the fast path registers nobody");

            PlatformTask blocked = ownerAfterContention(w, m, "owner-blocked", false);
            awaitState(auto, blocked, OwnerState.NOT_RUNNING, "an owner blocked inside the section");
            Thread waiter = w.start("waiter", () -> {
                m.lock();
                m.unlock();
            });
            Workers.awaitParked(waiter);
            assertNotNull(auto.registration(waiter), "the waiter registered too");
            assertTrue(m.metrics().parks() >= 1, "the waiter parked behind an off-CPU owner: " + m.metrics());
            release(w, m);

            PlatformTask busy = ownerAfterContention(w, m, "owner-busy", true);
            awaitState(auto, busy, OwnerState.RUNNING, "an owner that keeps its CPU inside the section");
            release(w, m);
        }
    }

    @Test
    void virtualThreadsAreNeverRegisteredAndReadUnknown() throws Exception {
        KernelAssumptions.assumeKernel("virtualThreadsAreNeverRegisteredAndReadUnknown");
        SharedKernelState auto = KernelOwnerState.shared();
        assertTrue(auto.availability().available(), auto.availability().reason());
        AdaptiveMutex m = AdaptiveMutex.builder(NativePlatform.instance()).stateSource(auto).build();
        AtomicReference<PlatformTask> vtask = new AtomicReference<>();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        m.lock();
        Thread vt = Thread.ofVirtual().name("virtual-owner").start(() -> {
            vtask.set(Workers.me());
            m.lock(); // contended: prepare() sees a virtual thread and registers nothing
            try {
                holding.countDown();
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                m.unlock();
            }
        });
        Workers.awaitContended("virtual thread waiting", m);
        m.unlock();
        assertTrue(holding.await(Workers.LIVENESS_SECONDS, TimeUnit.SECONDS));
        assertNull(auto.registration(vt), "virtual threads are never registered");
        AtomicReference<Object> explicit = new AtomicReference<>("not run");
        Thread.ofVirtual().start(() -> explicit.set(auto.registerCurrentThread())).join();
        assertNull(explicit.get(), "not even explicitly");
        for (int i = 0; i < 20; i++) {
            assertEquals(OwnerState.UNKNOWN, auto.ownerState(vtask.get()), "never the carrier's state");
            Thread.sleep(1);
        }
        done.countDown();
        vt.join();
    }

    private CountDownLatch release;

    /**
     * Starts a thread that acquires {@code m} while this thread holds it (its first contended
     * acquisition registers it), then holds it, parked or spinning, until {@link #release}; returns
     * its task once it owns {@code m} and is registered.
     */
    private PlatformTask ownerAfterContention(Workers w, AdaptiveMutex m, String name, boolean spinInside) throws InterruptedException {
        SharedKernelState auto = KernelOwnerState.shared();
        AtomicReference<PlatformTask> task = new AtomicReference<>();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        release = done;
        m.lock();
        Thread owner = w.start(name, () -> {
            task.set(Workers.me());
            m.lock();
            try {
                holding.countDown();
                if (spinInside) {
                    while (done.getCount() > 0) {
                        Thread.onSpinWait(); // on-CPU inside the critical section
                    }
                } else {
                    done.await(); // off-CPU inside the critical section
                }
            } finally {
                m.unlock();
            }
        });
        Workers.awaitContended(name + " waiting", m);
        Workers.awaitTrue(name + " registered by its contended acquisition", () -> auto.registration(owner) != null);
        assertEquals("kernel", auto.name());
        m.unlock();
        assertTrue(holding.await(Workers.LIVENESS_SECONDS, TimeUnit.SECONDS));
        return task.get();
    }

    private void release(Workers w, AdaptiveMutex m) throws InterruptedException {
        release.countDown();
        w.joinAll();
        assertFalse(m.isLocked());
    }

    private static void awaitState(OwnerStateSource source, PlatformTask task, OwnerState want, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        OwnerState seen;
        while ((seen = source.ownerState(task)) != want && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(want, seen, what + " (" + task.name() + ") read from its kernel-written region");
    }

    /** Makes {@code m} contended once: another thread waits while this one holds it. */
    private static void contend(AdaptiveMutex m) throws InterruptedException {
        try (Workers w = new Workers()) {
            m.lock();
            w.start("contender", () -> {
                m.lock();
                m.unlock();
            });
            Workers.awaitContended("contender waiting", m);
            m.unlock();
            w.joinAll();
        }
    }
}
