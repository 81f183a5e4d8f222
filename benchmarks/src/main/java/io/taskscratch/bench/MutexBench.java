package io.taskscratch.bench;

import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.platform.NativePlatform;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

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

    /** The three locks and the counter they protect. */
    public static class Locks {
        final AdaptiveMutex adaptive = AdaptiveMutex.create(NativePlatform.instance(), OwnerStateSource.none());
        final ReentrantLock reentrant = new ReentrantLock();
        final Object monitor = new Object();
        long counter;
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
    private static long adaptive(Locks s, long csTokens) {
        s.adaptive.lock();
        try {
            if (csTokens != 0) {
                Blackhole.consumeCPU(csTokens);
            }
            return ++s.counter;
        } finally {
            s.adaptive.unlock();
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
        return adaptive(s, 0);
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
        return adaptive(s, 0);
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
        return think(adaptive(s, CS_TOKENS));
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
