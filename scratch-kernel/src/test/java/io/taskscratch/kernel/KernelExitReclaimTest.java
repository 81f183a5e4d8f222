package io.taskscratch.kernel;

import static io.taskscratch.kernel.KernelAssumptions.assumeKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.region.HeaderSnapshot;
import io.taskscratch.region.RegionAbi;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Thread churn on one long-lived backend: the regions of exited threads are reclaimed once the
 * program has recorded their final switch-out, reused by new threads, and never written after
 * reuse (needs root; skips with the reason otherwise).
 */
class KernelExitReclaimTest {
    private static final int WAVES = 25;
    private static final int PER_WAVE = 8;

    @Test
    void exitedThreadsRegionsAreReclaimedAndReusedWithoutStaleWrites() throws Exception {
        assumeKernel("exitedThreadsRegionsAreReclaimedAndReusedWithoutStaleWrites");
        try (KernelBackend backend = KernelBackend.open()) {
            Set<Long> addresses = new HashSet<>();
            AtomicReference<String> corrupted = new AtomicReference<>();
            int markersSeen = 0;
            int freedBeforeMarkerSeen = 0;
            for (int w = 0; w < WAVES; w++) {
                List<AtomicReference<KernelRegistration>> outs = new ArrayList<>();
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < PER_WAVE; i++) {
                    AtomicReference<KernelRegistration> out = new AtomicReference<>();
                    outs.add(out);
                    threads.add(Thread.ofPlatform().name("churn-" + w + "-" + i).start(() -> live(backend, out, corrupted)));
                }
                List<KernelRegistration> regs = new ArrayList<>();
                for (int i = 0; i < PER_WAVE; i++) {
                    threads.get(i).join(TimeUnit.SECONDS.toMillis(10));
                    assertTrue(!threads.get(i).isAlive(), threads.get(i) + " ended");
                    regs.add(outs.get(i).get());
                }
                // The thread has ended in Java; its registration is closed by the exit hook (the reaper) and is
                // ENOENT if the OS thread is gone. Read each region until the final switch-out is recorded or the
                // backend freed it (delete succeeded while the OS thread still existed).
                for (KernelRegistration r : regs) {
                    addresses.add(r.region().address());
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    boolean seen = false;
                    while (!seen && System.nanoTime() < deadline) {
                        try {
                            seen = r.region().snapshot().cpu() == RegionAbi.CPU_EXITED;
                        } catch (IllegalStateException freed) {
                            break;
                        }
                        Thread.onSpinWait();
                    }
                    if (seen) {
                        markersSeen++;
                    } else {
                        assertTrue(r.region().isFreed(), "no final switch-out recorded for " + r + " within 5 s, yet not freed");
                        freedBeforeMarkerSeen++;
                    }
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while ((backend.registeredThreads() > 0 || backend.quarantinedRegions() > 0) && System.nanoTime() < deadline) {
                    backend.reclaimExited();
                    Thread.sleep(5);
                }
                assertEquals(0, backend.registeredThreads(), "every exited thread was unregistered by its exit hook");
                assertEquals(0, backend.quarantinedRegions(), "every exited thread's region was reclaimed after its final switch-out");
                for (KernelRegistration r : regs) {
                    assertTrue(r.isClosed() && r.region().isFreed(), r + " closed and freed while the backend is open");
                }
            }
            System.out.println("[scratch-kernel] churn: " + WAVES * PER_WAVE + " threads, final switch-out seen for " + markersSeen
                    + ", freed by a successful delete first " + freedBeforeMarkerSeen + ", " + addresses.size()
                    + " distinct region addresses, " + backend.regionStats());
            assertNull(corrupted.get(), "a live thread's region was written by someone else");
            assertTrue(markersSeen > 0, "the program recorded the final switch-out of at least one exited thread");
            assertTrue(addresses.size() <= 4 * PER_WAVE, "reclaimed regions were reused, not leaked: " + addresses.size()
                    + " distinct addresses for " + WAVES * PER_WAVE + " threads");
            assertEquals(0, backend.regionStats().liveRegions(), "no region outlives its thread: " + backend.regionStats());
        }
    }

    /**
     * One churning thread: registers, switches a few times, and checks that its region holds only
     * its own scheduling (never the exit marker, no more switches than the kernel counted for it); exits
     * without unregistering, so the exit hook does it.
     */
    private static void live(KernelBackend backend, AtomicReference<KernelRegistration> out, AtomicReference<String> corrupted) {
        KernelRegistration reg = backend.register();
        out.set(reg);
        int tid = reg.task().osTid();
        try {
            // The kernel's counters bracket the region's: every switch the region counts between s0 and s1 is
            // counted by the kernel between k0 and k1 (2 x switch-outs; the thread runs at k1, so each out has its
            // in), except the in of an out that fell just before k0. A stale write would add one and the marker.
            long[] k0 = KernelMeasure.ctxSwitches(tid);
            HeaderSnapshot s0 = reg.snapshot();
            for (int i = 0; i < 5; i++) {
                Thread.sleep(0, 300_000);
                if (reg.snapshot().cpu() == RegionAbi.CPU_EXITED) {
                    corrupted.compareAndSet(null, reg + ": exit marker in a live thread's region");
                }
            }
            HeaderSnapshot s1 = reg.snapshot();
            long[] k1 = KernelMeasure.ctxSwitches(tid);
            long kernel = 2 * ((k1[0] - k0[0]) + (k1[1] - k0[1]));
            long region = s1.switches() - s0.switches();
            if (s1.cpu() == RegionAbi.CPU_EXITED || region > kernel + 1) {
                corrupted.compareAndSet(null, reg + ": region " + s0 + " -> " + s1 + " vs kernel switches " + kernel);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aDeadThreadsFinalSwitchOutIsRecordedAndItsRegionFreedAfterEnoent() throws Exception {
        assumeKernel("aDeadThreadsFinalSwitchOutIsRecordedAndItsRegionFreedAfterEnoent");
        try (KernelBackend backend = KernelBackend.open()) {
            AtomicReference<KernelRegistration> out = new AtomicReference<>();
            AtomicInteger osTid = new AtomicInteger();
            Thread t = new Thread(() -> {
                KernelRegistration r = backend.register();
                osTid.set(r.task().osTid());
                out.set(r);
            }, "dies-registered");
            t.start();
            t.join();
            KernelRegistration r = out.get();
            // Wait for the OS thread itself to be gone (its /proc entry), then for the final switch-out record.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/task/" + osTid.get())) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            boolean freed = false;
            HeaderSnapshot last = null;
            while (System.nanoTime() < deadline) {
                try {
                    last = r.region().snapshot();
                } catch (IllegalStateException e) {
                    freed = true; // the reaper was faster: ENOENT, marker already there, freed after a grace period
                    break;
                }
                if (last.cpu() == RegionAbi.CPU_EXITED) {
                    break;
                }
                Thread.sleep(1);
            }
            assertTrue(freed || last.cpu() == RegionAbi.CPU_EXITED, "final switch-out recorded: " + last);
            if (last != null && !freed) {
                assertTrue(!last.onCpu() && (last.seq() & 1) == 0, "a complete switch-out update: " + last);
            }
            // Our close, or the exit hook's if it came first: delete is ENOENT (the task is gone), so the region is
            // quarantined and freed by the next reclaim pass, because the marker is there.
            r.close();
            long reclaimBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (backend.quarantinedRegions() > 0 && System.nanoTime() < reclaimBy) {
                backend.reclaimExited();
                Thread.sleep(1);
            }
            assertTrue(r.region().isFreed(), "freed once unregistered: the final switch-out is recorded");
            assertEquals(0, backend.quarantinedRegions());
        }
    }
}
