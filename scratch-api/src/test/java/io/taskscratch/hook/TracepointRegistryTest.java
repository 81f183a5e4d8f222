package io.taskscratch.hook;

import static io.taskscratch.testing.Errnos.assertErrno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.map.MapSpec;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.task.TaskHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Dispatch, attach/detach and the grace-period choice of {@link TracepointRegistry}. */
class TracepointRegistryTest {
    private final TaskHandle a = TaskHandle.simulated("a");
    private final TaskHandle b = TaskHandle.simulated("b");

    @Test
    void everyTracepointHandsItsArgumentsToItsHooks() {
        try (HookWorld w = new HookWorld("args")) {
            List<String> seen = new ArrayList<>();
            w.tps.attach(Tracepoint.SCHED_SWITCH, ctx -> seen.add("switch " + ctx.prev().name() + ">" + ctx.next().name()
                    + " cpu" + ctx.cpu() + " " + ctx.preempt() + " @" + ctx.nowNs()), false);
            w.tps.attach(Tracepoint.SCHED_WAKEUP, ctx -> seen.add("wakeup " + ctx.task().name() + " by "
                    + ctx.waker().name() + " cpu" + ctx.cpu() + " @" + ctx.nowNs()), false);
            w.tps.attach(Tracepoint.SCHED_MIGRATE_TASK, ctx -> seen.add("migrate " + ctx.task().name() + " "
                    + ctx.fromCpu() + ">" + ctx.toCpu() + " cpu" + ctx.cpu()), false);
            w.tps.attach(Tracepoint.TASK_FORK, ctx -> seen.add("fork " + ctx.parent().name() + ">" + ctx.child().name()), false);
            w.tps.attach(Tracepoint.TASK_EXIT, ctx -> seen.add("exit " + ctx.task().name() + " cpu" + ctx.cpu()), false);
            w.tps.fireSchedSwitch(a, b, 3, true, 10);
            w.tps.fireSchedWakeup(a, 2, b, 11);
            w.tps.fireSchedMigrateTask(b, 2, 0, 12);
            w.tps.fireTaskFork(a, b, 1, 13);
            w.tps.fireTaskExit(a, -1, 14);
            assertEquals(List.of("switch a>b cpu3 true @10", "wakeup a by b cpu2 @11", "migrate b 2>0 cpu0",
                    "fork a>b", "exit a cpu-1"), seen);
            assertTrue(w.failures.isEmpty(), w.failures::toString);
        }
    }

    @Test
    void hooksRunInAttachOrderAndAClosedHookStopsRunning() {
        try (HookWorld w = new HookWorld("order")) {
            List<String> runs = new ArrayList<>();
            HookLink one = w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("one", ctx -> runs.add("one")), false);
            HookLink two = w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("two", ctx -> runs.add("two")), false);
            w.tps.fireSchedSwitch(a, b, 0, false, 0);
            assertEquals(List.of("one", "two"), runs);
            assertArrayEquals(new HookLink[] {one, two}, w.tps.attached(Tracepoint.SCHED_SWITCH));
            one.close();
            one.close(); // idempotent
            w.tps.synchronize();
            w.tps.fireSchedSwitch(a, b, 0, false, 0);
            assertEquals(List.of("one", "two", "two"), runs);
            assertFalse(one.isAttached());
            assertNull(one.failure(), "a plain close is no failure");
            assertTrue(two.isAttached());
            w.tps.fireSchedWakeup(a, 0, null, 0); // no hooks there: nothing happens
            assertEquals(3, runs.size());
        }
    }

    @Test
    void nonSleepableHooksRunInNormalSectionsAndSleepableOnesInTasksTraceOnly() {
        try (HookWorld w = new HookWorld("flavors")) {
            List<String> seen = new CopyOnWriteArrayList<>();
            HookProgram probe = ctx -> seen.add(ctx.hook().name() + " normal=" + w.rcu.inReadSection(Flavor.NORMAL)
                    + " trace=" + w.rcu.inReadSection(Flavor.TASKS_TRACE));
            w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("fast", probe), false);
            w.tps.fireSchedSwitch(a, b, 0, false, 0);
            assertEquals(List.of("fast normal=true trace=false"), seen);
            seen.clear();
            HookLink slow = w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("slow", probe), true);
            w.tps.fireSchedSwitch(a, b, 0, false, 0);
            assertEquals(List.of("fast normal=true trace=true", "slow normal=false trace=true"), seen);
            seen.clear();
            slow.close();
            w.tps.fireSchedSwitch(a, b, 0, false, 0);
            assertEquals(List.of("fast normal=true trace=true"), seen, "the slot stays a tasks-trace slot (one-way flag)");
        }
    }

    @Test
    void retiredArraysWaitForNormalUntilASleepableHookEverJoinsThenForBothForever() {
        List<Boolean> chained = new CopyOnWriteArrayList<>();
        try (HookWorld w = new HookWorld("retire", (grace, free) -> chained.add(grace.hasSleepable()))) {
            HookLink n1 = w.tps.attach(Tracepoint.SCHED_SWITCH, ctx -> { }, false);
            n1.close();
            w.tps.attach(Tracepoint.SCHED_WAKEUP, ctx -> { }, false);
            HookLink s = w.tps.attach(Tracepoint.SCHED_SWITCH, ctx -> { }, true);
            s.close();
            w.tps.attach(Tracepoint.SCHED_SWITCH, ctx -> { }, false);
            w.tps.attach(Tracepoint.SCHED_WAKEUP, ctx -> { }, false);
            assertEquals(List.of(false, false, false, true, true, true, false), chained);
        }
    }

    @Test
    void retiredArraysAreFreedAfterTheirGracePeriod() {
        try (HookWorld w = new HookWorld("free")) {
            HookLink l = w.tps.attach(Tracepoint.SCHED_SWITCH, ctx -> { }, false);
            TracepointRegistry.HookArray before = w.tps.published(Tracepoint.SCHED_SWITCH);
            l.close();
            w.rcu.rcuBarrier();
            assertTrue(before.isFreed(), "the replaced array is freed once its grace period has passed");
            assertFalse(w.tps.published(Tracepoint.SCHED_SWITCH).isFreed(), "the published array is never freed");
        }
    }

    @Test
    void aSleepingReaderKeepsItsRetiredArrayAliveUntilItReturns() throws InterruptedException {
        try (HookWorld w = new HookWorld("sleepy")) {
            CountDownLatch inside = new CountDownLatch(1);
            AtomicBoolean release = new AtomicBoolean();
            HookLink sleepy = w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("sleepy", ctx -> {
                inside.countDown();
                while (!release.get()) {
                    ctx.sleep(1_000_000);
                }
            }), true);
            TracepointRegistry.HookArray held = w.tps.published(Tracepoint.SCHED_SWITCH);
            AtomicReference<Throwable> firerError = new AtomicReference<>();
            Thread firer = Thread.ofPlatform().start(() -> {
                try {
                    w.tps.fireSchedSwitch(a, b, 0, false, 0);
                } catch (Throwable t) {
                    firerError.set(t);
                }
            });
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            sleepy.close();
            w.rcu.synchronize(Flavor.NORMAL); // enough for a NORMAL-only retirement, and its callback,
            w.rcu.synchronize(Flavor.NORMAL); // to have run, had the slot not been marked sleepable
            Thread.sleep(20);
            assertFalse(held.isFreed(), "freed while a sleepable hook still ran from it");
            release.set(true);
            firer.join();
            assertNull(firerError.get());
            w.rcu.rcuBarrier();
            assertTrue(held.isFreed(), "freed once the chained grace periods passed");
        }
    }

    @Test
    void attachRefusesAHookDeclaringAMapOfAnotherRcuDomain() {
        try (HookWorld w = new HookWorld("domains");
             TaskStorageMap global = TaskStorageMap.create("global-map", MapSpec.taskStorage(HookWorld.VALUE))) {
            assertErrno(Errno.EINVAL, "map \"global-map\" of rcu domain \"global\"",
                    () -> w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("misplaced", Set.of(global), ctx -> { }), false));
            assertEquals(0, w.tps.attached(Tracepoint.SCHED_SWITCH).length, "nothing attached");
            HookLink ok = w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("placed", Set.of(w.map), ctx -> { }), false);
            assertTrue(ok.isAttached());
        }
    }

    @Test
    void recursiveEventsRunNoHooksAndCountMisses() {
        try (HookWorld w = new HookWorld("recursion")) {
            AtomicInteger wakeups = new AtomicInteger();
            HookLink inner = w.tps.attach(Tracepoint.SCHED_WAKEUP, ctx -> wakeups.incrementAndGet(), false);
            HookLink outer = w.tps.attach(Tracepoint.SCHED_SWITCH,
                    ctx -> w.tps.fireSchedWakeup(ctx.next(), ctx.cpu(), ctx.prev(), ctx.nowNs()), false);
            w.tps.fireSchedSwitch(a, b, 0, false, 0);
            assertEquals(0, wakeups.get(), "the nested event ran no hook");
            assertEquals(1, inner.misses());
            assertTrue(outer.isAttached(), "recursion is not a rule break");
            w.tps.fireSchedWakeup(a, 0, b, 0);
            assertEquals(1, wakeups.get(), "outside a hook the event runs");
        }
    }

    @Test
    void hookMayDetachItselfWhileRunning() {
        try (HookWorld w = new HookWorld("self")) {
            AtomicInteger runs = new AtomicInteger();
            HookLink[] self = new HookLink[1];
            self[0] = w.tps.attach(Tracepoint.SCHED_SWITCH, ctx -> {
                runs.incrementAndGet();
                self[0].close();
            }, false);
            w.tps.fireSchedSwitch(a, b, 0, false, 0);
            w.tps.fireSchedSwitch(a, b, 0, false, 0);
            assertEquals(1, runs.get());
            assertSame(0, w.tps.attached(Tracepoint.SCHED_SWITCH).length);
        }
    }
}
