package io.taskscratch.bench;

import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Grace-period latency with idle registered reader threads, side by side with a JDK shared
 * {@link Arena#close()} (itself a handshake with every thread). Issue #3 goal: median
 * {@code synchronize(NORMAL)} at most 50 µs with 8 readers; read the p0.50 rows.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class RcuSyncBench {
    /** Idle reader threads registered in the domain (they have read once and now wait). */
    @Param("8")
    public int readers;

    private Rcu rcu;
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch stop = new CountDownLatch(1);

    /** Starts the readers and waits until each has registered. */
    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        rcu = Rcu.create("bench");
        CountDownLatch registered = new CountDownLatch(readers);
        for (int i = 0; i < readers; i++) {
            threads.add(Thread.ofPlatform().daemon().name("idle-reader-" + i).start(() -> {
                rcu.readLock(Flavor.NORMAL);
                rcu.readUnlock(Flavor.NORMAL);
                rcu.readLock(Flavor.TASKS_TRACE);
                rcu.readUnlock(Flavor.TASKS_TRACE);
                registered.countDown();
                try {
                    stop.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        registered.await();
    }

    /** Stops the readers. */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        stop.countDown();
        for (Thread t : threads) {
            t.join();
        }
        rcu.close();
    }

    /** One normal grace period. */
    @Benchmark
    public void synchronizeNormal() {
        rcu.synchronize(Flavor.NORMAL);
    }

    /** One tasks-trace grace period. */
    @Benchmark
    public void synchronizeTasksTrace() {
        rcu.synchronize(Flavor.TASKS_TRACE);
    }

    /** The JDK's own grace period: closing a shared arena handshakes with every thread. */
    @Benchmark
    public void arenaSharedClose() {
        Arena.ofShared().close();
    }
}
