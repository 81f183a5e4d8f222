package io.taskscratch.bench;

import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.rcu.ReadSection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of entering and leaving an uncontended read-side section (goal: at most 5 ns),
 * per flavor, nested inside an outer section, and through the try-with-resources guard.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class RcuReadBench {
    private final Rcu rcu = Rcu.global();

    /** Registers the benchmark thread so the first invocation is not the registration. */
    @Setup
    public void setUp() {
        rcu.readLock(Flavor.NORMAL);
        rcu.readUnlock(Flavor.NORMAL);
    }

    private static final ThreadLocal<Object> LOCAL = ThreadLocal.withInitial(Object::new);

    /**
     * Baseline: one {@link ThreadLocal} lookup, which every section pays to find its thread's
     * record. On a shared, oversubscribed machine compare the rows with this one.
     */
    @Benchmark
    public Object threadLocalBaseline() {
        return LOCAL.get();
    }

    /** Outermost normal section: the path with the StoreLoad ordering. */
    @Benchmark
    public void normal() {
        rcu.readLock(Flavor.NORMAL);
        rcu.readUnlock(Flavor.NORMAL);
    }

    /** Outermost tasks-trace section. */
    @Benchmark
    public void tasksTrace() {
        rcu.readLock(Flavor.TASKS_TRACE);
        rcu.readUnlock(Flavor.TASKS_TRACE);
    }

    /** The guard form: {@code try (var s = rcu.read(NORMAL))}. */
    @Benchmark
    public void normalGuard() {
        try (ReadSection s = rcu.read(Flavor.NORMAL)) {
            // empty section
        }
    }

    /** The calling thread's guard, kept: no per-call lookup. */
    @State(Scope.Thread)
    public static class Kept {
        ReadSection section;

        /** Fetches the guard once. */
        @Setup
        public void fetch() {
            section = Rcu.global().section(Flavor.NORMAL);
        }
    }

    /** A kept guard: {@code enter()} and {@code close()} without the ThreadLocal lookup. */
    @Benchmark
    public void normalKeptGuard(Kept k) {
        try (ReadSection s = k.section.enter()) {
            // empty section
        }
    }

    /** Nested sections inside a held outer one. */
    @State(Scope.Thread)
    public static class Nested {
        final Rcu rcu = Rcu.global();

        /** Enters the outer section. */
        @Setup
        public void enter() {
            rcu.readLock(Flavor.NORMAL);
        }

        /** Leaves it. */
        @TearDown
        public void leave() {
            rcu.readUnlock(Flavor.NORMAL);
        }
    }

    /** A nested normal section: only the nesting count changes. */
    @Benchmark
    public void normalNested(Nested n) {
        n.rcu.readLock(Flavor.NORMAL);
        n.rcu.readUnlock(Flavor.NORMAL);
    }
}
