package io.taskscratch.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.map.MapFlags;
import io.taskscratch.map.MapSpec;
import io.taskscratch.map.MapValue;
import io.taskscratch.map.StorageElement;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.region.HeaderSnapshot;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import io.taskscratch.writer.PinnedWriter;
import io.taskscratch.writer.RegionWriter;
import io.taskscratch.writer.WriteContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The drain pattern: swap what a map holds, wait with the barrier, then read a frozen copy. */
class MapAccessBarrierTest {
    private static final long HOOK_LINGER_NANOS = 20_000_000;

    private final TaskHandle a = TaskHandle.simulated("a");
    private final TaskHandle b = TaskHandle.simulated("b");

    private static long hits(ScratchRegion r) {
        return r.getLong(HookWorld.LAYOUT.key("hits"), MemoryOrder.VOLATILE);
    }

    private static void point(TaskStorageMap map, TaskHandle task, ScratchRegion r) {
        MapValue v = map.newValue();
        v.setUptr("udata", r);
        map.update(task, v, MapFlags.EXIST);
    }

    /**
     * One hook invocation loads the old region, then lingers (spinning, or sleeping when
     * sleepable) until the map was swapped and 20 ms more before it writes. Returns the old
     * region's hits read right after {@code barrier}, and after the hook has surely finished.
     */
    private static long[] drainAgainstALingeringHook(boolean sleepable, Consumer<TaskStorageMap> barrier,
                                                     TaskHandle a, TaskHandle b) throws InterruptedException {
        try (HookWorld w = new HookWorld("drain")) {
            ScratchRegion old = w.alloc.allocate(b);
            ScratchRegion fresh = w.alloc.allocate(b);
            w.register(b, old);
            CountDownLatch loaded = new CountDownLatch(1);
            AtomicBoolean swapped = new AtomicBoolean();
            w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("lingerer", Set.of(w.map), ctx -> {
                ScratchRegion r = ctx.region(ctx.taskStorageGet(w.map, ctx.next(), 0), "udata");
                loaded.countDown();
                while (!swapped.get()) {
                    Thread.onSpinWait();
                }
                long until = System.nanoTime() + HOOK_LINGER_NANOS;
                while (System.nanoTime() < until) {
                    if (sleepable) {
                        ctx.sleep(1_000_000);
                    } else {
                        Thread.onSpinWait();
                    }
                }
                ctx.storeLong(r, HookWorld.HITS, ctx.loadLong(r, HookWorld.HITS) + 1);
            }), sleepable);
            Thread firer = Thread.ofPlatform().start(() -> w.tps.fireSchedSwitch(a, b, 0, false, 1));
            assertTrue(loaded.await(10, TimeUnit.SECONDS));
            point(w.map, b, fresh);
            swapped.set(true);
            barrier.accept(w.map);
            long atBarrier = hits(old);
            firer.join();
            assertTrue(w.failures.isEmpty(), w.failures::toString);
            assertEquals(0, hits(fresh));
            return new long[] {atBarrier, hits(old)};
        }
    }

    @ParameterizedTest(name = "sleepable={0}")
    @ValueSource(booleans = {false, true})
    void syncMapAccessWaitsForTheHookThatStillHoldsTheOldRegion(boolean sleepable) throws InterruptedException {
        long[] h = drainAgainstALingeringHook(sleepable, MapAccessBarrier::syncMapAccess, a, b);
        assertEquals(1, h[0], "the barrier returned before the hook that saw the old region finished");
        assertEquals(h[0], h[1], "the old region changed after the barrier");
    }

    @ParameterizedTest(name = "sleepable={0}")
    @ValueSource(booleans = {false, true})
    void expeditedBarrierGivesTheSameGuarantee(boolean sleepable) throws InterruptedException {
        long[] h = drainAgainstALingeringHook(sleepable, MapAccessBarrier::syncMapAccessExpedited, a, b);
        assertEquals(1, h[0]);
        assertEquals(h[0], h[1]);
    }

    @Test
    void negativeControlWithoutTheBarrierTheOldRegionChangesAfterTheRead() throws InterruptedException {
        long[] h = drainAgainstALingeringHook(false, map -> { }, a, b);
        assertNotEquals(h[0], h[1], "without a barrier the lingering hook writes the 'frozen' copy later");
    }

    @Test
    void repeatedDrainsWhileHooksFireFromSeveralThreads() throws InterruptedException {
        try (HookWorld w = new HookWorld("drains")) {
            RegionWriter writer = new PinnedWriter();
            WriteContext wctx = WriteContext.task(b);
            ScratchRegion current = w.alloc.allocate(b);
            w.register(b, current);
            w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("sched-state", Set.of(w.map), ctx -> {
                StorageElement v = ctx.taskStorageGet(w.map, ctx.next(), 0);
                ScratchRegion r = v == null ? null : ctx.region(v, "udata");
                if (r != null) {
                    writer.switchIn(wctx, r, ctx.cpu(), ctx.nowNs(), false);
                }
            }), false);
            w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("counter", Set.of(w.map), ctx -> {
                ScratchRegion r = ctx.region(ctx.taskStorageGet(w.map, ctx.next(), 0), "udata");
                long n = ctx.loadLong(r, HookWorld.HITS);
                if ((ctx.nowNs() & 255) == 0) {
                    ctx.sleep(10_000); // sleepable: may block between its load and its store
                }
                ctx.storeLong(r, HookWorld.HITS, n + 1);
            }), true);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> firers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int cpu = t;
                firers.add(Thread.ofPlatform().start(() -> {
                    for (long n = 0; !stop.get(); n++) {
                        w.tps.fireSchedSwitch(a, b, cpu, false, n);
                    }
                }));
            }
            try {
                for (int round = 0; round < 40; round++) {
                    ScratchRegion next = w.alloc.allocate(b);
                    point(w.map, b, next);
                    if (round % 2 == 0) {
                        MapAccessBarrier.syncMapAccess(w.map);
                    } else {
                        MapAccessBarrier.syncMapAccessExpedited(w.map);
                    }
                    HeaderSnapshot frozen = current.snapshot();
                    long frozenHits = hits(current);
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while ((hits(next) < 3 || next.snapshot().switches() < 3) && System.nanoTime() < deadline) {
                        Thread.onSpinWait(); // let the hooks write the new region for a while
                    }
                    assertTrue(hits(next) >= 3, "hooks kept firing into the new region");
                    assertEquals(frozen, current.snapshot(), "round " + round + ": a hook wrote the drained header");
                    assertEquals(frozenHits, hits(current), "round " + round + ": a hook wrote the drained key");
                    current = next;
                }
            } finally {
                stop.set(true);
                for (Thread t : firers) {
                    t.join();
                }
            }
            assertTrue(w.failures.isEmpty(), w.failures::toString);
        }
    }

    @Test
    void aDeletedElementsRegionStaysPinnedUntilHooksThatMaySeeItHaveFinished() throws InterruptedException {
        try (HookWorld w = new HookWorld("unpin")) {
            ScratchRegion region = w.alloc.allocate(b);
            w.register(b, region);
            CountDownLatch loaded = new CountDownLatch(1);
            AtomicBoolean release = new AtomicBoolean();
            w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("late-writer", Set.of(w.map), ctx -> {
                ScratchRegion r = ctx.region(ctx.taskStorageGet(w.map, ctx.next(), 0), "udata");
                loaded.countDown();
                while (!release.get()) {
                    Thread.onSpinWait();
                }
                ctx.storeLong(r, HookWorld.HITS, 1);
            }), false);
            Thread firer = Thread.ofPlatform().start(() -> w.tps.fireSchedSwitch(a, b, 0, false, 0));
            assertTrue(loaded.await(10, TimeUnit.SECONDS));
            w.map.delete(b);
            Thread.sleep(20); // the deferred unpin would have run by now if it did not wait for the hook
            assertTrue(region.isPinned(), "unpinned while a hook that found the element still runs");
            release.set(true);
            firer.join();
            w.map.awaitUnpins();
            assertFalse(region.isPinned());
            assertEquals(1, hits(region), "the hook's write landed in live memory");
            region.close(); // now it can be freed
            assertTrue(w.failures.isEmpty(), w.failures::toString);
        }
    }

    @Test
    void barrierWaitsOnlyForHooksThatMayUseTheMap() throws InterruptedException {
        try (HookWorld w = new HookWorld("declared");
             TaskStorageMap other = TaskStorageMap.create("other", MapSpec.taskStorage(HookWorld.VALUE), w.rcu)) {
            CountDownLatch inside = new CountDownLatch(1);
            AtomicBoolean release = new AtomicBoolean();
            w.tps.attach(Tracepoint.SCHED_WAKEUP, HookProgram.of("blocker", Set.of(other), ctx -> {
                inside.countDown();
                while (!release.get()) {
                    ctx.sleep(1_000_000);
                }
            }), true);
            w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("user", Set.of(w.map), ctx -> { }), false);
            Thread firer = Thread.ofPlatform().start(() -> w.tps.fireSchedWakeup(a, 0, null, 0));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            MapAccessBarrier.syncMapAccess(w.map); // returns although "blocker" is still inside (it never uses w.map)
            Thread drainer = Thread.ofPlatform().start(() -> MapAccessBarrier.syncMapAccess(other));
            drainer.join(100);
            assertTrue(drainer.isAlive(), "the barrier for the blocker's map must wait for it");
            release.set(true);
            drainer.join();
            firer.join();
            assertFalse(drainer.isAlive());
        }
    }
}
