package io.taskscratch.mutex;

import io.taskscratch.mutex.testing.ManualOwnerStateSource;
import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.PlatformTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spin-versus-park decisions driven by a {@link ManualOwnerStateSource}. The spin budgets are
 * set far beyond the test's duration, so a waiter that parks did so because of the owner's
 * state or a yield request, not because a budget ran out.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SpinDecisionTest {
    private static final long FOREVER = TimeUnit.HOURS.toNanos(1);

    private final ManualOwnerStateSource source = new ManualOwnerStateSource("manual");
    private final AdaptiveMutex m = AdaptiveMutex.builder(NativePlatform.instance())
            .stateSource(source)
            .tuning(new SpinTuning(FOREVER, FOREVER, 4, FOREVER))
            .build();

    /**
     * Locks {@link #m} as a RUNNING owner, starts a waiter and returns once the waiter is the
     * spinner.
     */
    private Thread ownRunningAndStartSpinner(Workers w, AtomicReference<PlatformTask> task) throws InterruptedException {
        source.set(Workers.me(), OwnerState.RUNNING);
        m.lock();
        Thread waiter = startWaiter(w, "spinner", task);
        Workers.awaitTrue("waiter spinning", () -> m.spinner() != null);
        assertSame(task.get(), m.spinner());
        return waiter;
    }

    /** Starts a thread that locks and unlocks {@link #m}, publishing its task. */
    private Thread startWaiter(Workers w, String name, AtomicReference<PlatformTask> task) {
        return w.start(name, () -> {
            task.set(Workers.me());
            m.lock();
            m.unlock();
        });
    }

    @Test
    void spinsWhileOwnerRunsAndParksAsSoonAsItIsOffCpu() throws Exception {
        AtomicReference<PlatformTask> waiterTask = new AtomicReference<>();
        try (Workers w = new Workers()) {
            Thread waiter = ownRunningAndStartSpinner(w, waiterTask);
            Thread.sleep(30);
            assertSame(waiterTask.get(), m.spinner(), "stopped spinning on a running owner");
            assertEquals(0, m.metrics().parks());

            source.set(Workers.me(), OwnerState.NOT_RUNNING);
            Workers.awaitParked(waiter);
            assertNull(m.spinner());
            assertTrue(m.metrics().parks() >= 1);
            m.unlock();
            w.joinAll();
        }
        assertTrue(source.readsEntered() > 0);
        assertEquals(source.readsEntered(), source.readsExited(), "every read-side section was closed");
        assertEquals(0, m.stateBits());
    }

    @Test
    void ownerOffCpuFromTheStartMeansNoSpinningAtAll() throws Exception {
        source.set(Workers.me(), OwnerState.NOT_RUNNING);
        m.lock();
        try (Workers w = new Workers()) {
            Thread waiter = startWaiter(w, "waiter", new AtomicReference<>());
            Workers.awaitParked(waiter);
            m.unlock();
            w.joinAll();
        }
        assertEquals(2, m.metrics().acquisitions());
    }

    @Test
    void aSpinnerAskedToYieldStopsSpinning() throws Exception {
        AtomicReference<PlatformTask> waiterTask = new AtomicReference<>();
        try (Workers w = new Workers()) {
            Thread waiter = ownRunningAndStartSpinner(w, waiterTask);
            source.requestYield(waiterTask.get(), true);
            Workers.awaitParked(waiter);
            assertNull(m.spinner());
            m.unlock();
            w.joinAll();
        }
    }

    @Test
    void onlyOneTaskSpinsOnTheOwnerTheOthersPark() throws Exception {
        AtomicReference<PlatformTask> first = new AtomicReference<>();
        try (Workers w = new Workers()) {
            ownRunningAndStartSpinner(w, first);
            Thread second = startWaiter(w, "second", new AtomicReference<>());
            Workers.awaitParked(second);
            assertSame(first.get(), m.spinner(), "the second waiter must park, not take over the spin");
            assertTrue(m.hasQueuedWaiters());
            m.unlock();
            w.joinAll();
        }
        assertEquals(3, m.metrics().acquisitions());
        assertEquals(0, m.stateBits());
    }

    @Test
    void withoutSchedulerStateTheSpinIsBoundedByTime() throws Exception {
        AdaptiveMutex bounded = AdaptiveMutex.builder(NativePlatform.instance())
                .stateSource(OwnerStateSource.none()) // not the native default (the kernel's state when available)
                .tuning(new SpinTuning(TimeUnit.MILLISECONDS.toNanos(2), FOREVER, 4, FOREVER))
                .build();
        bounded.lock();
        try (Workers w = new Workers()) {
            Thread waiter = w.start("waiter", () -> {
                bounded.lock();
                bounded.unlock();
            });
            Workers.awaitParked(waiter);
            LockMetrics mid = bounded.metrics();
            assertTrue(mid.spins() >= 1, "it spun before parking");
            assertTrue(mid.spinNanos() >= TimeUnit.MILLISECONDS.toNanos(2), "it spun for its whole budget: " + mid);
            assertTrue(mid.parks() >= 1);
            bounded.unlock();
            w.joinAll();
        }
    }
}
