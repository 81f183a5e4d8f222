package io.taskscratch.kernel;

import static io.taskscratch.kernel.KernelAssumptions.assumeKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.region.HeaderSnapshot;
import io.taskscratch.region.RegionAbi;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The real program writes the §3 header of registered threads (needs root; skips with the reason otherwise). */
class KernelBackendTest {

    @Test
    void kernelWritesOnCpuAndSwitchesOfRegisteredThreads() throws Exception {
        assumeKernel("kernelWritesOnCpuAndSwitchesOfRegisteredThreads");
        try (KernelBackend backend = KernelBackend.open()) {
            KernelRegistration self = backend.register();
            HeaderSnapshot before = self.snapshot();
            assertTrue(before.onCpu(), "register() writes on_cpu = 1 for the running thread");
            assertEquals(RegionAbi.ABI_VERSION, before.abiVersion());
            for (int i = 0; i < 20; i++) {
                Thread.sleep(1); // voluntary switches: out and in again
            }
            HeaderSnapshot after = self.snapshot();
            assertTrue(after.switches() >= before.switches() + 20, "20 sleeps are at least 20 switches: " + before + " -> " + after);
            assertTrue(after.onCpu(), "read while running: " + after);
            assertTrue(after.lastSwitchNs() > before.lastSwitchNs() && after.lastSwitchNs() <= System.nanoTime(),
                    "last_switch_ns is CLOCK_MONOTONIC, like System.nanoTime: " + after);
            assertTrue((after.seq() & 1) == 0 && after.seq() > before.seq(), "seq is even and advanced: " + after);

            // A parked second thread reads on_cpu = 0 from here; its switches grow when it runs.
            AtomicReference<KernelRegistration> other = new AtomicReference<>();
            CountDownLatch registered = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                other.set(backend.register());
                registered.countDown();
                LockSupport.park();
            }, "parked");
            t.start();
            assertTrue(registered.await(5, TimeUnit.SECONDS));
            while (t.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
            KernelRegistration r = other.get();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (r.region().onCpu() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            HeaderSnapshot parked = r.snapshot();
            assertFalse(parked.onCpu(), "a parked thread is off-CPU: " + parked);
            assertTrue(parked.switches() >= 1, "its switch-out was counted: " + parked);
            assertNotNull(backend.registration(t));
            LockSupport.unpark(t);
            t.join(5000);
            assertFalse(t.isAlive());
            HeaderSnapshot exited = r.snapshot();
            assertTrue(exited.switches() > parked.switches(), "unpark switched it in again: " + parked + " -> " + exited);
            // Thread exit unregisters by itself (scratch-api's reaper, every 50 ms). If the OS thread was
            // already gone, the region is quarantined until the backend closes; else it is freed now.
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!r.isClosed() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(r.isClosed(), "thread exit unregistered " + r);
            assertNull(backend.registration(t));
            r.close(); // idempotent
            self.close(); // a live thread: deleted, a kernel grace period, freed at once
            assertTrue(self.region().isFreed(), "unregistering a live thread frees its region");
            assertEquals(0, backend.registeredThreads());
            backend.close();
            assertTrue(r.region().isFreed(), "closing the backend frees the exited thread's region");
        }
    }

    @Test
    void switchesAndPreemptionsAgreeWithTheKernelsOwnCounters() throws Exception {
        assumeKernel("switchesAndPreemptionsAgreeWithTheKernelsOwnCounters");
        try (KernelBackend backend = KernelBackend.open(); KernelRegistration self = backend.register()) {
            int tid = self.task().osTid();
            KernelMeasure.ctxSwitches(tid); // warm up: class loading between the two reads below would block
            self.snapshot();
            HeaderSnapshot s0 = self.snapshot();
            long[] k0 = KernelMeasure.ctxSwitches(tid);
            for (int i = 0; i < 200; i++) {
                if (i % 2 == 0) {
                    Thread.sleep(0, 200_000); // voluntary
                } else {
                    Thread.yield(); // involuntary in the kernel's nivcsw sense when it switches
                }
            }
            HeaderSnapshot s1 = self.snapshot();
            long[] k1 = KernelMeasure.ctxSwitches(tid);
            long kernelSwitches = 2 * ((k1[0] - k0[0]) + (k1[1] - k0[1]));
            long regionSwitches = s1.switches() - s0.switches();
            // The tracepoint may miss a rare switch (~0.1 % known), and a switch can fall between the region
            // snapshot and the /proc read at either end: allow 1 % + 2.
            assertTrue(Math.abs(kernelSwitches - regionSwitches) <= 2 + kernelSwitches / 100,
                    "region " + regionSwitches + " vs kernel 2 x (nvcsw + nivcsw) " + kernelSwitches);
            assertTrue(kernelSwitches >= 200, "100 sleeps switch out and in: " + kernelSwitches);
            long kernelInvoluntary = k1[1] - k0[1];
            long regionPreemptions = s1.preemptions() - s0.preemptions();
            assertTrue(Math.abs(kernelInvoluntary - regionPreemptions) <= 2 + kernelInvoluntary / 100,
                    "region preemptions " + regionPreemptions + " vs kernel nivcsw " + kernelInvoluntary);
        }
    }

    @Test
    void registeringTwiceAndVirtualThreadsAreRefused() throws Exception {
        assumeKernel("registeringTwiceAndVirtualThreadsAreRefused");
        try (KernelBackend backend = KernelBackend.open()) {
            try (KernelRegistration r = backend.register()) {
                ScratchException twice = assertThrows(ScratchException.class, backend::register);
                assertEquals(Errno.EEXIST, twice.errno());
                assertTrue(twice.getMessage().contains(Thread.currentThread().getName()), twice.getMessage());
                ScratchException busy = assertThrows(ScratchException.class, () -> r.region().close());
                assertEquals(Errno.EBUSY, busy.errno(), "a registered region cannot be freed");
            }
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread.ofVirtual().start(() -> {
                try {
                    backend.register();
                } catch (Throwable e) {
                    thrown.set(e);
                }
            }).join();
            ScratchException e = assertThrows(ScratchException.class, () -> {
                throw thrown.get();
            });
            assertEquals(Errno.EOPNOTSUPP, e.errno());
            assertTrue(e.getMessage().contains("virtual thread"), e.getMessage());
        }
    }
}
