package io.taskscratch.bench;

import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.mutex.OwnerState;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.mutex.RegionOwnerStateSource;
import io.taskscratch.mutex.SpinTuning;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.HeaderField;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link AdaptiveMutex} (no scheduler state: time-bounded spin-then-park) against
 * {@link ReentrantLock} and {@code synchronized}, side by side on real threads: lock, increment
 * a counter, unlock. Uncontended: one thread per lock ({@code uncontended_*}). Contended: two
 * threads on one lock ({@code contended_*} groups), average time per operation per thread.
 * Contended with work ({@code work_*} groups): two threads, each critical section also burns
 * {@value #CS_TOKENS} {@link Blackhole#consumeCPU} tokens and each thread then thinks for
 * {@value #THINK_TOKENS} tokens outside the lock, so the lock is busy part of the time and
 * waits are short (the empty-section groups measure only the hand-over of the lock itself).
 * Issue #5 goals: uncontended adaptive at most 1.1x ReentrantLock; contended at least as
 * fast as ReentrantLock.
 *
 * <p>One spin poll with owner state ({@code spinPoll_*}): a thread holds a mutex whose
 * source has regions (a region per thread, as the kernel backend's), having acquired it on the slow
 * path, so its region is published beside the owner. {@code spinPoll_published} is what a spinner
 * reads per poll ({@link AdaptiveMutex#ownerState()}: {@code ownerRegion.onCpu()});
 * {@code spinPoll_perPollLookup} is the per-poll lookup it replaces (a read-side section, the region looked up
 * in the directory, {@code on_cpu}); {@code spinPoll_pause} the spin pause each poll also waits.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MutexBench {
    /** Work inside the critical section of the {@code work_*} groups, in consumeCPU tokens. */
    public static final long CS_TOKENS = 10;
    /** Work outside the lock between two acquisitions in the {@code work_*} groups. */
    public static final long THINK_TOKENS = 100;

    /** The native default with the lock word read every poll ({@code maxPollGap} 1): the spinner without barging back-off. */
    static final SpinTuning EVERY_POLL = everyPoll(SpinTuning.NATIVE);

    private static SpinTuning everyPoll(SpinTuning t) {
        return new SpinTuning(t.unknownSpinNanos(), t.runningSpinNanos(), t.handoffAfterFailures(), t.handoffAfterNanos(),
                t.clockEveryPolls(), t.recheckNotRunning(), 1);
    }

    /** The locks and the counter they protect. */
    public static class Locks {
        final AdaptiveMutex adaptive = AdaptiveMutex.create(NativePlatform.instance(), OwnerStateSource.none());
        final AdaptiveMutex adaptiveEveryPoll = AdaptiveMutex.builder(NativePlatform.instance()).tuning(EVERY_POLL).build();
        final ReentrantLock reentrant = new ReentrantLock();
        final Object monitor = new Object();
        long counter;
    }

    /** A mutex held by a parked thread that acquired it on the slow path (its region published). */
    @State(Scope.Benchmark)
    public static class Held {
        final RegionAllocator allocator = RegionAllocator.create(RegionLayout.defaults(), PinMode.UNPINNED);
        final Map<PlatformTask, ScratchRegion> regions = new ConcurrentHashMap<>();
        final RegionOwnerStateSource source = new RegionOwnerStateSource("bench", Rcu.global(), regions::get,
                System::nanoTime, 0);
        final AdaptiveMutex mutex = AdaptiveMutex.builder(NativePlatform.instance()).stateSource(source).build();
        PlatformTask ownerTask;
        Thread owner;
        final CountDownLatch done = new CountDownLatch(1);

        /** Starts the owner: it registers a region that says on CPU and takes the held mutex on the slow path. */
        @Setup(Level.Trial)
        public void hold() throws InterruptedException {
            CountDownLatch holding = new CountDownLatch(1);
            mutex.lock();
            owner = new Thread(() -> {
                PlatformTask me = NativePlatform.instance().currentTask();
                ScratchRegion r = allocator.allocate();
                r.set(HeaderField.ON_CPU, 1, MemoryOrder.OPAQUE);
                regions.put(me, r);
                ownerTask = me;
                mutex.lock(); // contended: the slow path publishes the region
                holding.countDown();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    mutex.unlock();
                }
            }, "bench-owner");
            owner.setDaemon(true);
            owner.start();
            while (!mutex.hasQueuedThreads()) {
                Thread.onSpinWait();
            }
            mutex.unlock();
            holding.await();
            if (mutex.ownerState() != OwnerState.RUNNING) {
                throw new IllegalStateException("the owner's published region should say RUNNING: " + mutex);
            }
        }

        /** Lets the owner release and exit. */
        @TearDown(Level.Trial)
        public void release() throws InterruptedException {
            done.countDown();
            owner.join();
        }
    }

    /** One spin poll's state read now: the region the owner published, one load. */
    @Benchmark
    public OwnerState spinPoll_published(Held h) {
        return h.mutex.ownerState();
    }

    /** One spin poll's state read through the source's directory: read section, directory lookup, on_cpu. */
    @Benchmark
    public OwnerState spinPoll_perPollLookup(Held h) {
        long token = h.source.enterRead();
        try {
            return h.source.ownerState(h.ownerTask);
        } finally {
            h.source.exitRead(token);
        }
    }

    /** The pause every spin poll waits besides its reads. */
    @Benchmark
    public void spinPoll_pause() {
        Thread.onSpinWait();
    }

    /** One whole spin iteration with owner state: the published state read, then the pause. */
    @Benchmark
    public OwnerState spinPoll_iteration(Held h) {
        OwnerState st = h.mutex.ownerState();
        Thread.onSpinWait();
        return st;
    }

    /** One set of locks per thread. */
    @State(Scope.Thread)
    public static class PerThread extends Locks {
    }

    /** One set of locks per group of two threads. */
    @State(Scope.Group)
    public static class Shared extends Locks {
    }

    // csTokens is a constant at every call site: for 0 the JIT drops the consumeCPU call.
    private static long adaptive(AdaptiveMutex m, Locks s, long csTokens) {
        m.lock();
        try {
            if (csTokens != 0) {
                Blackhole.consumeCPU(csTokens);
            }
            return ++s.counter;
        } finally {
            m.unlock();
        }
    }

    private static long reentrant(Locks s, long csTokens) {
        s.reentrant.lock();
        try {
            if (csTokens != 0) {
                Blackhole.consumeCPU(csTokens);
            }
            return ++s.counter;
        } finally {
            s.reentrant.unlock();
        }
    }

    private static long monitor(Locks s, long csTokens) {
        synchronized (s.monitor) {
            if (csTokens != 0) {
                Blackhole.consumeCPU(csTokens);
            }
            return ++s.counter;
        }
    }

    /** Think time after a {@code work_*} critical section; returns the section's result. */
    private static long think(long result) {
        Blackhole.consumeCPU(THINK_TOKENS);
        return result;
    }

    /** Uncontended AdaptiveMutex. */
    @Benchmark
    public long uncontended_adaptive(PerThread s) {
        return adaptive(s.adaptive, s, 0);
    }

    /** Uncontended ReentrantLock. */
    @Benchmark
    public long uncontended_reentrantLock(PerThread s) {
        return reentrant(s, 0);
    }

    /** Uncontended synchronized. */
    @Benchmark
    public long uncontended_synchronized(PerThread s) {
        return monitor(s, 0);
    }

    /** Two threads on one AdaptiveMutex. */
    @Benchmark
    @Group("contended_adaptive")
    @GroupThreads(2)
    public long contendedAdaptive(Shared s) {
        return adaptive(s.adaptive, s, 0);
    }

    /** Two threads on one AdaptiveMutex whose spinner reads the lock word every poll. */
    @Benchmark
    @Group("contended_adaptiveEveryPoll")
    @GroupThreads(2)
    public long contendedAdaptiveEveryPoll(Shared s) {
        return adaptive(s.adaptiveEveryPoll, s, 0);
    }

    /** Two threads on one ReentrantLock. */
    @Benchmark
    @Group("contended_reentrantLock")
    @GroupThreads(2)
    public long contendedReentrantLock(Shared s) {
        return reentrant(s, 0);
    }

    /** Two threads on one monitor. */
    @Benchmark
    @Group("contended_synchronized")
    @GroupThreads(2)
    public long contendedSynchronized(Shared s) {
        return monitor(s, 0);
    }

    /** Two threads on one AdaptiveMutex, with a short critical section and think time. */
    @Benchmark
    @Group("work_adaptive")
    @GroupThreads(2)
    public long workAdaptive(Shared s) {
        return think(adaptive(s.adaptive, s, CS_TOKENS));
    }

    /** Two threads on one AdaptiveMutex reading the lock word every poll, with a short section and think time. */
    @Benchmark
    @Group("work_adaptiveEveryPoll")
    @GroupThreads(2)
    public long workAdaptiveEveryPoll(Shared s) {
        return think(adaptive(s.adaptiveEveryPoll, s, CS_TOKENS));
    }

    /** Two threads on one ReentrantLock, with a short critical section and think time. */
    @Benchmark
    @Group("work_reentrantLock")
    @GroupThreads(2)
    public long workReentrantLock(Shared s) {
        return think(reentrant(s, CS_TOKENS));
    }

    /** Two threads on one monitor, with a short critical section and think time. */
    @Benchmark
    @Group("work_synchronized")
    @GroupThreads(2)
    public long workSynchronized(Shared s) {
        return think(monitor(s, CS_TOKENS));
    }
}
