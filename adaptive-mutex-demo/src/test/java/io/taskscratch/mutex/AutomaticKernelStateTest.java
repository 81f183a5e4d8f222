package io.taskscratch.mutex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.kernel.KernelAvailability;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.PlatformTask;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The automatic kernel owner-state source, the default on the native platform: threads register
 * on their first contended acquisition, owners' states come from real kernel writes, virtual
 * threads stay UNKNOWN, and a disabled or unavailable kernel behaves as {@code none} and says why.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AutomaticKernelStateTest {

    @Test
    void theNativeDefaultIsTheSharedAutomaticSourceElsewhereNone() {
        assertSame(KernelOwnerStateSource.automatic(), AdaptiveMutex.builder(NativePlatform.instance()).build().stateSource());
        assertSame(OwnerStateSource.none(), AdaptiveMutex.builder(new CountingPlatform(NativePlatform.instance())).build().stateSource());
        assertSame(OwnerStateSource.none(), AdaptiveMutex.builder(NativePlatform.instance()).stateSource(OwnerStateSource.none())
                .build().stateSource(), "the per-mutex opt-out");
    }

    @Test
    void forcedOffByThePropertyItBehavesAsNoneSaysWhyAndNeverProbesAgain() throws Exception {
        AutomaticKernelState off = new AutomaticKernelState();
        AdaptiveMutex m = AdaptiveMutex.builder(NativePlatform.instance()).stateSource(off).build();
        assertEquals("kernel (not probed yet)", off.name(), "nothing happens before the first contended acquisition");
        withProperty("off", () -> {
            contend(m); // the first contended acquisition starts the probe, which reads the property
            assertNotEquals("kernel (not probed yet)", off.name());
            off.availability(); // waits for the probe
        });
        String reason = "disabled by -D" + AutomaticKernelState.PROPERTY + "=off";
        assertEquals("none (kernel state unavailable: " + reason + ")", off.name());
        assertEquals(new KernelAvailability(false, reason), off.availability());
        assertFalse(off.informative());
        assertEquals(OwnerState.UNKNOWN, off.ownerState(Workers.me()));
        assertFalse(off.shouldYield(Workers.me()));
        assertNull(off.registerCurrentThread(), "nothing to register in");
        assertNull(off.registration(Thread.currentThread()));
        assertTrue(m.metrics().stateSource().contains(reason), m.metrics().toString());
        assertTrue(m.toString().contains("no scheduler state"), "described as the none source: " + m);

        // The outcome is final: with the property back to its default, this source does not probe again.
        contend(m);
        assertEquals(new KernelAvailability(false, reason), off.availability());

        AutomaticKernelState bad = new AutomaticKernelState();
        withProperty("maybe", () -> {
            bad.prepare(Workers.me());
            bad.availability();
        });
        assertTrue(bad.availability().reason().contains(AutomaticKernelState.PROPERTY + "=maybe is neither auto nor off"),
                bad.availability().reason());
    }

    @Test
    void threadsRegisterOnTheirFirstContendedAcquisitionAndOwnersReadTheirKernelState() throws Exception {
        KernelTests.assumeKernel("threadsRegisterOnTheirFirstContendedAcquisitionAndOwnersReadTheirKernelState");
        AutomaticKernelState auto = KernelOwnerStateSource.automatic();
        assertTrue(auto.availability().available(), auto.availability().reason()); // the probe runs in the background
        AdaptiveMutex m = AdaptiveMutex.builder(NativePlatform.instance()).build();
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
        KernelTests.assumeKernel("virtualThreadsAreNeverRegisteredAndReadUnknown");
        AutomaticKernelState auto = KernelOwnerStateSource.automatic();
        assertTrue(auto.availability().available(), auto.availability().reason());
        AdaptiveMutex m = AdaptiveMutex.builder(NativePlatform.instance()).build();
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
        Workers.awaitTrue("virtual thread waiting", () -> m.hasQueuedWaiters() || m.spinner() != null);
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
        AutomaticKernelState auto = KernelOwnerStateSource.automatic();
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
        Workers.awaitTrue(name + " waiting", () -> m.hasQueuedWaiters() || m.spinner() != null);
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
            Workers.awaitTrue("contender waiting", () -> m.hasQueuedWaiters() || m.spinner() != null);
            m.unlock();
            w.joinAll();
        }
    }

    /** A body that may throw. */
    private interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} with the property set, restoring its previous value. */
    private static void withProperty(String value, Body body) throws Exception {
        String old = System.getProperty(AutomaticKernelState.PROPERTY);
        System.setProperty(AutomaticKernelState.PROPERTY, value);
        try {
            body.run();
        } finally {
            if (old == null) {
                System.clearProperty(AutomaticKernelState.PROPERTY);
            } else {
                System.setProperty(AutomaticKernelState.PROPERTY, old);
            }
        }
    }
}
