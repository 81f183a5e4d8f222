package io.taskscratch.demo.locks;

import io.taskscratch.mutex.AcquireResult;
import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.mutex.HeldLocks;
import io.taskscratch.mutex.LockMetrics;
import io.taskscratch.mutex.OwnerState;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.mutex.RegionHeldLocks;
import io.taskscratch.mutex.RegionOwnerStateSource;
import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.sched.SchedScratch;
import io.taskscratch.sched.SimConfig;
import io.taskscratch.sched.SimPlatform;
import io.taskscratch.sched.SimResult;
import io.taskscratch.sched.SimTask;
import io.taskscratch.sched.Simulation;
import io.taskscratch.sched.workload.Workloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same lock code inside the deterministic scheduler model (scheduler-sim's
 * {@link SimPlatform}): mutual exclusion and no lost wake-ups with preempted lock holders,
 * spin decisions against the model's own on-CPU truth, determinism, interrupts.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SchedulerModelTest {
    private static final int WORKERS = 6;
    private static final int ROUNDS = 200;

    /** The model's own truth about a task: the ideal (pinned, never lossy) source. */
    static final OwnerStateSource MODEL_ON_CPU = new OwnerStateSource() {
        @Override
        public OwnerState ownerState(PlatformTask owner) {
            return ((SimTask) owner).onCpu() ? OwnerState.RUNNING : OwnerState.NOT_RUNNING;
        }

        @Override
        public String name() {
            return "model-on-cpu";
        }
    };

    /** Workers hammer one lock on 2 CPUs with 2 CPU hogs that preempt holders; returns the lock. */
    private static ComparedLock hammer(LockKind kind, OwnerStateSource source, long seed, AtomicBoolean overlap) {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).seed(seed).build());
        ComparedLock lock = LockFactory.create(kind, sim.platform(), source);
        long[] counter = {0};
        AtomicLong inside = new AtomicLong();
        for (int w = 0; w < WORKERS; w++) {
            sim.spawn("worker-" + w, p -> {
                for (int i = 0; i < ROUNDS; i++) {
                    lock.runLocked(() -> {
                        if (inside.incrementAndGet() != 1) {
                            overlap.set(true);
                        }
                        p.work(2_000 + p.random().nextLong(8_000)); // may be preempted while holding
                        counter[0]++;
                        inside.decrementAndGet();
                    });
                    p.work(p.random().nextLong(20_000));
                }
            });
        }
        Workloads.addHogs(sim, 2, 200_000);
        SimResult r = sim.run(60_000_000_000L);
        assertEquals(SimResult.Status.COMPLETED, r.status(), lock.name() + ": " + r);
        assertEquals((long) WORKERS * ROUNDS, counter[0], lock.name());
        return lock;
    }

    @ParameterizedTest
    @EnumSource(LockKind.class)
    void everyKindExcludesAndLosesNoWakeupInTheModel(LockKind kind) {
        AtomicBoolean overlap = new AtomicBoolean();
        ComparedLock lock = hammer(kind, OwnerStateSource.none(), 7, overlap);
        assertTrue(!overlap.get(), lock.name() + " let two tasks in");
        assertEquals((long) WORKERS * ROUNDS, lock.metrics().acquisitions());
    }

    @Test
    void withTheModelsOnCpuStateWaitersSpinOnRunningOwnersAndParkBehindPreemptedOnes() {
        AtomicBoolean overlap = new AtomicBoolean();
        AtomicLong queries = new AtomicLong();
        OwnerStateSource checking = new OwnerStateSource() {
            @Override
            public OwnerState ownerState(PlatformTask owner) {
                queries.incrementAndGet();
                return MODEL_ON_CPU.ownerState(owner);
            }

            @Override
            public String name() {
                return "model-on-cpu";
            }
        };
        ComparedLock lock = hammer(LockKind.ADAPTIVE, checking, 11, overlap);
        assertTrue(!overlap.get());
        LockMetrics m = lock.metrics();
        assertTrue(queries.get() > 0, "the spinner never asked the source: " + m);
        assertTrue(m.parks() > 0, "with preempted owners some waiters must park: " + m);
        assertTrue(lock.name().contains("model-on-cpu"));
    }

    @Test
    void manySeedsNeverLoseAWakeup() {
        for (long seed = 100; seed < 130; seed++) {
            for (OwnerStateSource source : new OwnerStateSource[] {OwnerStateSource.none(), MODEL_ON_CPU}) {
                AtomicBoolean overlap = new AtomicBoolean();
                hammer(LockKind.ADAPTIVE, source, seed, overlap); // asserts COMPLETED and the count
                assertTrue(!overlap.get(), "seed " + seed);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameCounters() {
        LockMetrics a = hammer(LockKind.ADAPTIVE, MODEL_ON_CPU, 3, new AtomicBoolean()).metrics();
        LockMetrics b = hammer(LockKind.ADAPTIVE, MODEL_ON_CPU, 3, new AtomicBoolean()).metrics();
        assertEquals(a, b);
    }

    @Test
    void lockReassertsAModelInterruptAfterWaiting() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).seed(1).build());
        AdaptiveMutex m = AdaptiveMutex.create(sim.platform(), new OwnerStateSource() {
            @Override
            public OwnerState ownerState(PlatformTask owner) {
                return OwnerState.NOT_RUNNING; // the waiter parks at once, so the interrupt finds it parked
            }

            @Override
            public String name() {
                return "always-off-cpu";
            }
        });
        AtomicBoolean statusAfter = new AtomicBoolean();
        SimTask[] waiter = new SimTask[1];
        sim.spawn("holder", p -> {
            m.lock();
            p.work(100_000);
            m.unlock();
        });
        waiter[0] = sim.spawnAt("waiter", p -> {
            m.lock();
            statusAfter.set(p.isInterrupted());
            m.unlock();
        }, false, 10_000);
        sim.spawnAt("interrupter", p -> p.interrupt(waiter[0]), false, 50_000);
        SimResult r = sim.run(10_000_000L);
        assertEquals(SimResult.Status.COMPLETED, r.status(), r.toString());
        assertTrue(statusAfter.get(), "lock() must keep the model's interrupt status");
        assertTrue(m.metrics().parks() >= 2, "woken by the interrupt, parked again: " + m.metrics());
        assertEquals(2, m.metrics().acquisitions());
    }

    /**
     * In the scheduler model, resilient mode's default tables live in the tasks' registered
     * regions (a dynamic key of SchedScratch's layout, right after the header): a task reads
     * another's table there, and an AB/BA between two tasks is found as DEADLOCK.
     */
    @Test
    void inTheSchedulerModelTablesLiveInTheTasksRegionsAndFindAbba() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).seed(9).build());
        SchedScratch scratch = SchedScratch.attach(sim, SchedScratch.Options.pinned(9));
        RegionOwnerStateSource src = new RegionOwnerStateSource("pinned", scratch.rcu(), SchedScratch::regionOf,
                sim.platform()::nanoTime, 0);
        AdaptiveMutex a = AdaptiveMutex.builder(sim.platform()).stateSource(src).resilient().build();
        AdaptiveMutex b = AdaptiveMutex.builder(sim.platform()).stateSource(src).resilient().build();
        List<Object> seen = new ArrayList<>();
        AcquireResult[] results = new AcquireResult[2];
        var ab = sim.spawn("ab", scratch.registered(p -> {
            a.lock();
            p.work(100_000);
            results[0] = b.acquire();
            if (results[0] == AcquireResult.OK) {
                b.unlock();
            }
            a.unlock();
        }));
        sim.spawn("ba", scratch.registered(p -> {
            b.lock();
            p.work(50_000);
            ScratchRegion theirs = SchedScratch.regionOf(ab);
            seen.add(RegionHeldLocks.tableKey(theirs.layout()).offset());
            HeldLocks table = RegionHeldLocks.of(theirs);
            seen.add(table.count() == 1 ? List.of(table.entry(0)) : List.of());
            p.work(100_000);
            results[1] = a.acquire();
            if (results[1] == AcquireResult.OK) {
                a.unlock();
            }
            b.unlock();
        }));
        sim.run(2_000_000_000L);
        scratch.close();
        assertEquals(List.of(RegionHeldLocks.OFFSET_AFTER_HEADER, List.of(a.id())), seen);
        assertTrue(results[0] == AcquireResult.DEADLOCK || results[1] == AcquireResult.DEADLOCK,
                results[0] + " / " + results[1]);
        assertFalse(results[0] == AcquireResult.TIMEOUT || results[1] == AcquireResult.TIMEOUT,
                results[0] + " / " + results[1]);
        assertFalse(a.isLocked() || a.hasQueuedThreads(), a.toString());
        assertFalse(b.isLocked() || b.hasQueuedThreads(), b.toString());
    }
}
