package io.taskscratch.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.map.MapSpec;
import io.taskscratch.map.StorageElement;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One test per verifier-style rule: the bad hook is refused with the exact code, named, and detached. */
class HookContextTest {
    private final HookWorld w = new HookWorld("verifier");
    private final TaskHandle a = TaskHandle.simulated("a");
    private final TaskHandle b = TaskHandle.simulated("b");
    private final ScratchRegion region = w.alloc.allocate(b);

    @AfterEach
    void tearDown() {
        w.close();
    }

    /**
     * Attaches {@code body} as {@code name} next to a well-behaved hook, fires one sched_switch
     * a to b, and returns the bad hook's link after checking the well-behaved hook still ran.
     */
    private HookLink fireWith(String name, boolean sleepable, Consumer<HookContext> body) {
        return fireWith(HookProgram.of(name, body::accept), sleepable);
    }

    private HookLink fireWith(HookProgram program, boolean sleepable) {
        AtomicInteger good = new AtomicInteger();
        HookLink bad = w.tps.attach(Tracepoint.SCHED_SWITCH, program, sleepable);
        w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("good", ctx -> good.incrementAndGet()), false);
        w.tps.fireSchedSwitch(a, b, 1, false, 100);
        assertEquals(1, good.get(), "the other hook of the event must still run");
        return bad;
    }

    /** The hook was detached for {@code errno}, the message names it and {@code culprit}, and the listener heard. */
    private ScratchException assertDetached(HookLink link, Errno errno, String culprit) {
        assertFalse(link.isAttached(), "a hook that broke a rule is detached");
        ScratchException e = assertInstanceOf(ScratchException.class, link.failure());
        assertEquals(errno, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains("\"" + link.name() + "\""), () -> "names the hook: " + e.getMessage());
        assertTrue(e.getMessage().contains(culprit), () -> "names " + culprit + ": " + e.getMessage());
        assertEquals(1, w.failures.size());
        assertSame(link, w.failures.getFirst().hook());
        assertSame(e, w.failures.getFirst().cause());
        assertEquals(0, w.tps.attached(Tracepoint.SCHED_SWITCH).length - 1, "only the good hook is left");
        return e;
    }

    // ---- a non-sleepable hook must not block ------------------------------------------------

    @Test
    void nonSleepableHookThatSleepsIsRefusedWithEinval() {
        HookLink l = fireWith("napper", false, ctx -> ctx.sleep(1_000));
        assertDetached(l, Errno.EINVAL, "sleep(1000)");
    }

    @Test
    void nonSleepableHookThatTakesABlockingLockIsRefusedAndTheLockStaysFree() {
        ReentrantLock lock = new ReentrantLock();
        HookLink l = fireWith("locker", false, ctx -> ctx.lock(lock));
        assertDetached(l, Errno.EINVAL, "might sleep");
        assertFalse(lock.isLocked(), "the refused lock() took nothing");
    }

    @Test
    void nonSleepableHookThatParksOrYieldsThroughThePlatformIsRefused() {
        HookLink parker = fireWith("parker", false, ctx -> ctx.platform().parkNanos(this, 1_000));
        assertDetached(parker, Errno.EINVAL, "parkNanos");
        w.failures.clear();
        w.tps.attached(Tracepoint.SCHED_SWITCH)[0].close();
        HookLink yielder = fireWith("yielder", false, ctx -> ctx.platform().yieldCpu());
        assertDetached(yielder, Errno.EINVAL, "yieldCpu");
    }

    @Test
    void refusalDetachesEvenWhenTheHookCatchesIt() {
        AtomicReference<ScratchException> caught = new AtomicReference<>();
        HookLink l = fireWith("sly", false, ctx -> {
            try {
                ctx.sleep(1);
            } catch (ScratchException e) {
                caught.set(e);
            }
        });
        assertSame(caught.get(), assertDetached(l, Errno.EINVAL, "sleep(1)"));
    }

    @Test
    void sleepableHookMayBlock() {
        ReentrantLock lock = new ReentrantLock();
        AtomicInteger done = new AtomicInteger();
        HookLink l = fireWith("sleeper", true, ctx -> {
            ctx.sleep(1_000);
            ctx.lock(lock);
            ctx.unlock(lock);
            ctx.platform().yieldCpu();
            done.incrementAndGet();
        });
        assertTrue(l.isAttached(), () -> "failure: " + l.failure());
        assertEquals(1, done.get());
        assertTrue(w.failures.isEmpty());
    }

    // ---- only user space registers memory ---------------------------------------------------

    @Test
    void hookThatStoresToTheUptrFieldIsRefusedAndTheRegistrationStays() {
        w.register(b, region);
        HookLink l = fireWith("hijacker", false, ctx -> {
            StorageElement v = ctx.taskStorageGet(w.map, ctx.next(), 0);
            ctx.valueStoreInt(v, 8, 7);  // plain data: fine
            ctx.valueStoreInt(v, 4, 0);  // upper half of udata
        });
        assertDetached(l, Errno.EINVAL, "uptr field \"udata\"");
        try (var section = w.rcu.read(Flavor.NORMAL)) {
            StorageElement v = w.map.taskStorageGet(b, 0);
            assertSame(region, v.uptr("udata"), "the registration is unchanged");
            assertEquals(7, v.getInt(8), "the allowed store landed");
        }
    }

    // ---- accesses stay in bounds ------------------------------------------------------------

    @Test
    void outOfBoundsRegionStoreIsRefusedWithEfaultNamingTheOffset() {
        w.register(b, region);
        int size = HookWorld.LAYOUT.regionSize();
        HookLink l = fireWith("overrun", false, ctx -> {
            ScratchRegion r = ctx.region(ctx.taskStorageGet(w.map, ctx.next(), 0), "udata");
            ctx.storeLong(r, HookWorld.HITS, 5);       // in bounds
            ctx.storeInt(r, size - 2, 1);               // straddles the end
        });
        assertDetached(l, Errno.EFAULT, "offset " + (size - 2));
        assertEquals(5, region.getLong(HookWorld.LAYOUT.key("hits"), io.taskscratch.region.MemoryOrder.VOLATILE));
    }

    @Test
    void negativeOffsetAndOutOfBoundsValueAccessAreRefused() {
        w.register(b, region);
        HookLink neg = fireWith("negative", false,
                ctx -> ctx.loadInt(ctx.uptr(ctx.taskStorageGet(w.map, ctx.next(), 0), "udata"), -4));
        assertDetached(neg, Errno.EFAULT, "offset -4");
        w.failures.clear();
        w.tps.attached(Tracepoint.SCHED_SWITCH)[0].close();
        HookLink val = fireWith("valueOverrun", false, ctx -> ctx.valueLoadInt(ctx.taskStorageGet(w.map, ctx.next(), 0), 14));
        assertDetached(val, Errno.EFAULT, "value offset 14");
    }

    @Test
    void misalignedRegionAccessIsRefusedWithEfault() {
        w.register(b, region);
        HookLink l = fireWith("wobbly", false,
                ctx -> ctx.loadLong(ctx.uptr(ctx.taskStorageGet(w.map, ctx.next(), 0), "udata"), 4));
        assertDetached(l, Errno.EFAULT, "misaligned");
    }

    @Test
    void nullUptrDereferenceIsRefusedWithEfault() {
        HookLink l = fireWith("careless", false, ctx -> {
            StorageElement v = ctx.taskStorageGet(w.map, ctx.next(), io.taskscratch.map.MapFlags.F_CREATE);
            ctx.storeInt(ctx.uptr(v, "udata"), 8, 1); // created by the program: udata is NULL
        });
        assertDetached(l, Errno.EFAULT, "NULL uptr");
    }

    // ---- return with nothing held -----------------------------------------------------------

    @Test
    void hookReturningWithALockIsDetachedAndTheLockReleased() {
        ReentrantLock lock = new ReentrantLock();
        HookLink l = fireWith("forgetful", false, ctx -> assertTrue(ctx.tryLock(lock)));
        assertDetached(l, Errno.EINVAL, "returned holding");
        assertFalse(lock.isLocked(), "the runtime released the leaked lock");
    }

    @Test
    void takingANinthLockIsRefusedWithE2bigAndAllAreReleased() {
        ReentrantLock[] locks = new ReentrantLock[9];
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
        HookLink l = fireWith("hoarder", false, ctx -> {
            for (ReentrantLock lock : locks) {
                assertTrue(ctx.tryLock(lock));
            }
        });
        assertDetached(l, Errno.E2BIG, "holding 8 locks");
        for (ReentrantLock lock : locks) {
            assertFalse(lock.isLocked(), "refused or released: " + lock);
        }
    }

    @Test
    void unlockingALockNotTakenThroughTheContextIsRefused() {
        ReentrantLock lock = new ReentrantLock();
        HookLink l = fireWith("stranger", false, ctx -> ctx.unlock(lock));
        assertDetached(l, Errno.EINVAL, "did not take through its context");
    }

    @Test
    void hookReturningInsideAReadSectionIsDetachedAndTheSectionLeft() {
        HookLink l = fireWith("leaky", true, ctx -> ctx.readLock(Flavor.NORMAL));
        assertDetached(l, Errno.EINVAL, "NORMAL read section");
        assertFalse(w.rcu.inReadSection(Flavor.NORMAL));
        assertFalse(w.rcu.inReadSection(Flavor.TASKS_TRACE));
        w.tps.synchronize(); // would stall if a section had leaked
    }

    @Test
    void unmatchedReadUnlockIsRefused() {
        HookLink l = fireWith("unbalanced", false, ctx -> ctx.readUnlock(Flavor.NORMAL));
        assertDetached(l, Errno.EINVAL, "readUnlock(NORMAL)");
        assertFalse(w.rcu.inReadSection(Flavor.NORMAL), "the dispatcher's own section was not consumed");
    }

    // ---- context and map access -------------------------------------------------------------

    @Test
    void readingAnArgumentTheTracepointLacksIsRefused() {
        AtomicInteger runs = new AtomicInteger();
        HookLink l = w.tps.attach(Tracepoint.SCHED_WAKEUP, HookProgram.of("confused", ctx -> {
            runs.incrementAndGet();
            ctx.prev();
        }), false);
        w.tps.fireSchedWakeup(b, 0, a, 5);
        assertEquals(1, runs.get());
        assertFalse(l.isAttached());
        ScratchException e = assertInstanceOf(ScratchException.class, l.failure());
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("\"confused\"") && e.getMessage().contains("argument prev")
                && e.getMessage().contains("sched_wakeup"), e.getMessage());
    }

    @Test
    void usingAnUndeclaredMapIsRefused() {
        try (TaskStorageMap other = TaskStorageMap.create("other", MapSpec.taskStorage(HookWorld.VALUE), w.rcu)) {
            HookLink l = fireWith(HookProgram.of("stray", Set.of(w.map), ctx -> {
                assertNull(ctx.taskStorageGet(w.map, ctx.next(), 0)); // declared: fine (no element)
                ctx.taskStorageGet(other, ctx.next(), 0);
            }), false);
            assertDetached(l, Errno.EINVAL, "map \"other\"");
        }
    }

    @Test
    void usingAMapOfAnotherRcuDomainIsRefused() {
        // Its grace periods would not wait for this hook's read section.
        try (TaskStorageMap foreign = TaskStorageMap.create("foreign", MapSpec.taskStorage(HookWorld.VALUE))) {
            HookLink l = fireWith("crosser", false, ctx -> ctx.taskStorageGet(foreign, ctx.next(), 0));
            assertDetached(l, Errno.EINVAL, "map \"foreign\" of rcu domain");
        }
    }

    @Test
    void hookThatThrowsIsDetachedWithItsException() {
        IllegalStateException boom = new IllegalStateException("boom");
        HookLink l = fireWith("thrower", false, ctx -> {
            throw boom;
        });
        assertFalse(l.isAttached());
        assertSame(boom, l.failure());
        assertSame(boom, w.failures.getFirst().cause());
    }
}
