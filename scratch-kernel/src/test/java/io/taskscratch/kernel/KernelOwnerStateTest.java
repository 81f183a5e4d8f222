package io.taskscratch.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.mutex.OwnerState;
import io.taskscratch.mutex.RegionOwnerStateSource;
import io.taskscratch.platform.NativePlatform;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The adaptive mutex's kernel owner state (needs root; skips with the reason printed otherwise). */
class KernelOwnerStateTest {

    @Test
    void registeredThreadsReadTheirKernelStateOthersAndVirtualThreadsAreUnknown() throws Exception {
        KernelAssumptions.assumeKernel("KernelOwnerStateTest");
        try (KernelBackend backend = KernelBackend.open()) {
            RegionOwnerStateSource source = KernelOwnerState.of(backend);
            AtomicReference<KernelRegistration> reg = new AtomicReference<>();
            CountDownLatch registered = new CountDownLatch(1);
            Thread owner = new Thread(() -> {
                reg.set(backend.register());
                registered.countDown();
                LockSupport.park();
            }, "owner");
            NativePlatform.ThreadTask ownerTask = new NativePlatform.ThreadTask(owner);
            assertEquals(OwnerState.UNKNOWN, source.ownerState(ownerTask), "not registered yet");
            owner.start();
            assertTrue(registered.await(5, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (source.ownerState(ownerTask) != OwnerState.NOT_RUNNING && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(OwnerState.NOT_RUNNING, source.ownerState(ownerTask), "a parked registered owner is off-CPU");
            try (KernelRegistration self = backend.register()) {
                assertEquals(OwnerState.RUNNING, source.ownerState(NativePlatform.instance().currentTask()), "the reader itself runs");
            }
            LockSupport.unpark(owner);
            owner.join();

            AtomicReference<OwnerState> seen = new AtomicReference<>();
            Thread.ofVirtual().start(() -> seen.set(source.ownerState(NativePlatform.instance().currentTask()))).join();
            assertEquals(OwnerState.UNKNOWN, seen.get(), "a virtual thread never gets its carrier's state");
            assertEquals("kernel", KernelOwnerState.orNone(backend).name());
            assertEquals("none", KernelOwnerState.orNone(null).name());
        }
    }
}
