package io.taskscratch.percpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A {@link java.util.concurrent.atomic.LongAdder} alternative with one padded cell per CPU
 * instead of cells picked by a per-thread hash: {@link #add} goes to the cell of the CPU the
 * calling thread runs on, which at any instant only that thread is running on, so the cell is
 * almost never contended and stays in that CPU's cache. It never grows: {@code cpus} cells, fixed
 * at construction.
 *
 * <p>Implementation overview. The cells are longs in one array, {@value #STRIDE} longs (128 bytes)
 * apart, with a padding stride before the first and after the last, so no two cells and no
 * neighbouring object share a cache line or an adjacent-line prefetch pair. {@link #add} reads the
 * CPU from the calling thread's {@link CpuView} (one load) and does an atomic
 * {@code getAndAdd} on that CPU's cell.
 *
 * <p>Invariants. Correctness never rests on the CPU id: the thread may have been preempted or
 * migrated since it read it, so another thread may update the same cell at the same moment, and
 * the atomic add keeps every increment. {@link #sum()} is the sum of the cells, exact when no add
 * runs concurrently (like {@code LongAdder.sum()}, it is not an atomic snapshot).
 */
public final class PerCpuCounter {
    /** Longs between two cells: 128 bytes, a cache line and its adjacent-line prefetch partner. */
    static final int STRIDE = 16;
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

    private final CpuSource source;
    private final int cpus;
    private final long[] cells; // cell i at (i + 1) * STRIDE: getAndAdd by any thread, opaque reads by sum()

    private PerCpuCounter(CpuSource source, int cpus) {
        this.source = source;
        this.cpus = cpus;
        this.cells = new long[(cpus + 2) * STRIDE];
    }

    /**
     * A counter with one cell per CPU.
     *
     * @param source where each thread's CPU comes from
     * @param cpus   the number of cells, normally the CPUs the threads can run on; CPU numbers
     *               past it share cells (by modulus)
     * @return a new counter at 0
     * @throws io.taskscratch.ScratchException EINVAL if {@code cpus} is not in [1, 8192]
     */
    public static PerCpuCounter create(CpuSource source, int cpus) {
        Objects.requireNonNull(source, "source");
        return new PerCpuCounter(source, CpuSlots.checkSlots("cpus", cpus));
    }

    /** Adds one; see {@link #add(long)}. */
    public void increment() {
        add(source.currentView(), 1L);
    }

    /**
     * Adds {@code x} to the cell of the calling thread's CPU.
     *
     * @param x the amount
     */
    public void add(long x) {
        add(source.currentView(), x);
    }

    /**
     * Adds {@code x} to the cell of the CPU {@code view} reports, for a caller that keeps its view.
     *
     * @param view the calling thread's view
     * @param x    the amount
     */
    public void add(CpuView view, long x) {
        CELL.getAndAdd(cells, cellIndex(CpuSlots.slotOf(view.cpu(), cpus)), x);
    }

    /**
     * The sum of the cells; exact when no {@link #add} runs concurrently.
     *
     * @return the sum
     */
    public long sum() {
        long s = 0;
        for (int i = 0; i < cpus; i++) {
            s += cell(i);
        }
        return s;
    }

    /**
     * One cell's value (for reports: how the adds spread over CPUs).
     *
     * @param slot a cell index in [0, {@link #cells()})
     * @return its value (an opaque load: a statistic, no ordering needed)
     * @throws IndexOutOfBoundsException if {@code slot} is out of range
     */
    public long cell(int slot) {
        Objects.checkIndex(slot, cpus);
        return (long) CELL.getOpaque(cells, cellIndex(slot));
    }

    /** The number of cells, fixed at construction. */
    public int cells() {
        return cpus;
    }

    private static int cellIndex(int slot) {
        return (slot + 1) * STRIDE;
    }

    @Override
    public String toString() {
        return "PerCpuCounter[" + cpus + " cells, " + source.name() + "]";
    }
}
