package io.taskscratch.platform;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NativePlatform}'s interrupt calls and {@link ForwardingPlatform}'s pass-through. */
@Timeout(30)
class NativePlatformTest {
    private final NativePlatform p = NativePlatform.instance();

    @Test
    void interruptOfSelfSetsTheStatusThatInterruptedClears() {
        p.interrupt(p.currentTask());
        assertTrue(p.isInterrupted());
        assertTrue(p.interrupted());
        assertFalse(p.isInterrupted());
    }

    @Test
    void interruptWakesAParkedTaskAndLeavesItsStatusSet() throws Exception {
        AtomicReference<PlatformTask> task = new AtomicReference<>();
        AtomicBoolean statusAfterPark = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            task.set(p.currentTask());
            started.countDown();
            while (!p.isInterrupted()) {
                p.park(this); // only the interrupt ends this loop
            }
            statusAfterPark.set(p.interrupted());
        });
        t.start();
        started.await();
        p.interrupt(task.get());
        t.join();
        assertTrue(statusAfterPark.get());
    }

    @Test
    void forwardingPlatformPassesEveryCallThrough() {
        List<String> calls = new ArrayList<>();
        Platform recorder = new ForwardingPlatform(p) {
            @Override
            public void spinPause() {
                calls.add("spinPause");
                super.spinPause();
            }
        };
        Platform f = new ForwardingPlatform(recorder) { };
        assertSame(p.currentTask(), f.currentTask());
        f.spinPause();
        assertEquals(List.of("spinPause"), calls);
        f.interrupt(f.currentTask());
        assertTrue(f.isInterrupted());
        assertTrue(f.interrupted());
        assertFalse(p.isInterrupted());
        long before = f.nanoTime();
        f.parkNanos(this, 1_000);
        assertTrue(f.nanoTime() >= before);
    }
}
