package io.taskscratch.percpu;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A tcmalloc-style object pool: a bounded free list per CPU, a shared transfer cache behind them,
 * and a factory for when both are empty. A thread allocates from and frees to the list of the CPU
 * it runs on, so the memory the pool holds grows with CPUs, not threads: at most
 * {@code cpus × capacityPerCpu + transferCapacity} objects ({@link #maxHeld()}), where a pool of
 * per-thread caches holds up to {@code threads × capacity}.
 *
 * <pre>{@code
 * PerCpuPool<ByteBuffer> pool = PerCpuPool.builder(CpuSource.schedGetcpu(), () -> ByteBuffer.allocateDirect(4096))
 *         .cpus(Runtime.getRuntime().availableProcessors()).capacityPerCpu(64).build();
 * ByteBuffer b = pool.allocate();
 * pool.free(b);
 * }</pre>
 *
 * <p>Implementation overview. Each thread keeps a <em>home</em> (one small object per thread and
 * pool, found through a cache indexed by thread id in front of a {@link ThreadLocal}): its
 * {@link CpuView}, the list index of its CPU and the migration count it last saw. Every operation
 * reads the view's migration count (one load); only when it changed — the scheduler's notification
 * that the thread resumed on another CPU — does it read the CPU again and <em>re-home</em> to that
 * CPU's list ({@link #rehomes()}). A view without notifications answers
 * {@link CpuView#SEQUENCE_UNKNOWN}, and the pool reads the CPU on every operation instead; with
 * {@link CpuSource#schedGetcpu()} itself there is nothing per thread to keep, so the pool keeps no
 * homes and every operation is one {@code sched_getcpu()} call.
 * <ul>
 *   <li>{@link #allocate()}: try-lock the home list; pop; if the list is empty, refill it with up
 *       to {@code batch} objects from the transfer cache first; if the transfer cache is empty too,
 *       unlock and call the factory ({@link #created()}).</li>
 *   <li>{@link #free}: try-lock the home list; if it is full, move its top {@code batch} objects to
 *       the transfer cache (as many as fit); push. If nothing fit, the object is dropped for the
 *       garbage collector ({@link #dropped()}).</li>
 *   <li>A list whose try-lock fails (its holder was preempted or migrated while holding it, or
 *       another thread read the same CPU id) is not waited for: the operation takes or gives one
 *       object at the transfer cache instead ({@link #contended()}).</li>
 * </ul>
 *
 * <p>Invariants. Correctness never rests on the CPU id: a thread can be preempted or migrated
 * between reading its CPU and committing, so two threads can reach the same list at once; every
 * list is changed only under its lock and the transfer cache only under its monitor, so no object
 * is lost or handed out twice whatever the CPU ids say. The CPU id and the notifications only make
 * the home list almost always uncontended and in the local CPU's cache. An object is in at most
 * one place: a list, the transfer cache, or the caller's hands; {@code created() = held() +
 * dropped() + objects the callers hold} when nothing runs concurrently. Lists and the transfer
 * cache null the slots they give out, so the pool never keeps an allocated object reachable.
 *
 * @param <T> the pooled objects' type
 */
public final class PerCpuPool<T> {
    /** Largest {@code capacityPerCpu}. */
    public static final int MAX_CAPACITY_PER_CPU = 1 << 16;
    /** Largest {@code transferCapacity}. */
    public static final int MAX_TRANSFER_CAPACITY = 1 << 24;

    /** A thread's home list: read and written only by its thread. */
    private static final class Home {
        final CpuView view;
        int slot = -1;
        long seenMigrations = CpuView.SEQUENCE_UNKNOWN;

        Home(CpuView view) {
            this.view = view;
        }
    }

    private final CpuSource source;
    private final Supplier<? extends T> factory;
    private final int cpus;
    private final int capacity;
    private final int batch;
    private final CpuSlot[] slots;
    private final TransferCache transfer;
    private final PerThread<Home> homes; // null for CpuSource.schedGetcpu(): no notifications, no per-thread state
    // Statistics, changed only on slow paths (factory, drop, migration, contention): atomic adds.
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong rehomes = new AtomicLong();
    private final AtomicLong contended = new AtomicLong();

    private PerCpuPool(Builder<T> b) {
        this.source = b.source;
        this.factory = b.factory;
        this.cpus = b.cpus;
        this.capacity = b.capacityPerCpu;
        this.batch = b.batch > 0 ? b.batch : Math.max(1, b.capacityPerCpu / 2);
        this.slots = new CpuSlot[cpus];
        for (int i = 0; i < cpus; i++) {
            slots[i] = new CpuSlot(capacity);
        }
        this.transfer = new TransferCache(b.transferCapacity >= 0 ? b.transferCapacity : cpus * capacity);
        this.homes = source == CpuSource.schedGetcpu() ? null : new PerThread<>(() -> new Home(source.currentView()));
    }

    /**
     * A builder; defaults: {@code cpus} = {@link Runtime#availableProcessors()}, 64 objects per
     * CPU, a batch of half of that, a transfer cache as large as all lists together.
     *
     * @param source  where each thread's CPU and notifications come from
     * @param factory makes an object when the pool has none (must not return null)
     * @param <T>     the objects' type
     * @return the builder
     */
    public static <T> Builder<T> builder(CpuSource source, Supplier<? extends T> factory) {
        return new Builder<>(Objects.requireNonNull(source, "source"), Objects.requireNonNull(factory, "factory"));
    }

    /**
     * An object from the calling CPU's list, the transfer cache, or the factory.
     *
     * @return an object no other caller holds
     * @throws NullPointerException if the factory returned null
     */
    public T allocate() {
        CpuSlot s = homeSlot();
        if (s.tryLock()) {
            try {
                int n = s.count;
                if (n == 0) {
                    n = transfer.take(s.items, CpuSlot.ITEM_PAD, batch);
                }
                if (n > 0) {
                    int top = CpuSlot.ITEM_PAD + n - 1;
                    Object o = s.items[top];
                    s.items[top] = null;
                    s.count = n - 1;
                    return cast(o);
                }
                s.count = 0;
            } finally {
                s.unlock();
            }
        } else {
            contended.incrementAndGet();
            Object o = transfer.takeOne();
            if (o != null) {
                return cast(o);
            }
        }
        created.incrementAndGet();
        return Objects.requireNonNull(factory.get(), "the pool's factory returned null");
    }

    /**
     * Gives {@code obj} back to the calling CPU's list (or the transfer cache; dropped if both are
     * full). The caller must not use it afterwards, nor free it twice.
     *
     * @param obj an object from {@link #allocate()}
     */
    public void free(T obj) {
        Objects.requireNonNull(obj, "obj");
        CpuSlot s = homeSlot();
        if (s.tryLock()) {
            try {
                int n = s.count;
                if (n == capacity) {
                    n -= transfer.give(s.items, CpuSlot.ITEM_PAD + n, batch);
                    s.count = n;
                }
                if (n < capacity) {
                    s.items[CpuSlot.ITEM_PAD + n] = obj;
                    s.count = n + 1;
                    return;
                }
            } finally {
                s.unlock();
            }
        } else {
            contended.incrementAndGet();
            if (transfer.giveOne(obj)) {
                return;
            }
        }
        dropped.incrementAndGet();
    }

    private CpuSlot homeSlot() {
        if (homes == null) {
            return slots[CpuSlots.slotOf(source.currentView().cpu(), cpus)];
        }
        Home h = homes.get();
        long m = h.view.migrations();
        if (m == CpuView.SEQUENCE_UNKNOWN || m != h.seenMigrations) {
            int slot = CpuSlots.slotOf(h.view.cpu(), cpus);
            if (h.slot >= 0 && slot != h.slot && m != CpuView.SEQUENCE_UNKNOWN) {
                rehomes.incrementAndGet();
            }
            h.slot = slot;
            h.seenMigrations = m;
        }
        return slots[h.slot];
    }

    @SuppressWarnings("unchecked")
    private T cast(Object o) {
        return (T) o;
    }

    /**
     * Objects the pool holds now: in the per-CPU lists and the transfer cache (exact when no
     * operation runs concurrently).
     *
     * @return at most {@link #maxHeld()}
     */
    public long held() {
        long n = transfer.size();
        for (CpuSlot s : slots) {
            n += s.countOpaque();
        }
        return n;
    }

    /**
     * Objects in one CPU's list now.
     *
     * @param cpu a list index in [0, {@link #cpus()})
     * @return its object count
     * @throws IndexOutOfBoundsException if {@code cpu} is out of range
     */
    public int heldOnCpu(int cpu) {
        return slots[Objects.checkIndex(cpu, cpus)].countOpaque();
    }

    /** Objects in the transfer cache now. */
    public int heldInTransferCache() {
        return transfer.size();
    }

    /** The most objects the pool can hold: {@code cpus × capacityPerCpu + transferCapacity}. */
    public long maxHeld() {
        return (long) cpus * capacity + transfer.capacity();
    }

    /** Objects the factory made (the pool had none to give). */
    public long created() {
        return created.get();
    }

    /** Freed objects the pool did not keep (list and transfer cache full). */
    public long dropped() {
        return dropped.get();
    }

    /** Times a thread moved to another CPU's list because its migration count changed. */
    public long rehomes() {
        return rehomes.get();
    }

    /** Operations that found their list locked by another thread and used the transfer cache. */
    public long contended() {
        return contended.get();
    }

    /** The number of per-CPU lists. */
    public int cpus() {
        return cpus;
    }

    /** The bound of each per-CPU list. */
    public int capacityPerCpu() {
        return capacity;
    }

    /** The bound of the transfer cache. */
    public int transferCapacity() {
        return transfer.capacity();
    }

    /** Objects moved at once between a list and the transfer cache. */
    public int batch() {
        return batch;
    }

    @Override
    public String toString() {
        return "PerCpuPool[" + cpus + " x " + capacity + " + " + transfer.capacity() + ", " + source.name() + "]";
    }

    /**
     * Builds a {@link PerCpuPool}; every setter checks its argument at once and {@link #build()}
     * checks them together.
     *
     * @param <T> the objects' type
     */
    public static final class Builder<T> {
        private final CpuSource source;
        private final Supplier<? extends T> factory;
        private int cpus = Runtime.getRuntime().availableProcessors();
        private int capacityPerCpu = 64;
        private int batch; // 0: half the capacity
        private int transferCapacity = -1; // -1: cpus × capacityPerCpu

        private Builder(CpuSource source, Supplier<? extends T> factory) {
            this.source = source;
            this.factory = factory;
        }

        /**
         * The number of per-CPU lists.
         *
         * @param cpus in [1, 8192]
         * @return this
         * @throws ScratchException EINVAL if out of range
         */
        public Builder<T> cpus(int cpus) {
            this.cpus = CpuSlots.checkSlots("cpus", cpus);
            return this;
        }

        /**
         * The bound of each per-CPU list.
         *
         * @param capacity in [1, {@value #MAX_CAPACITY_PER_CPU}]
         * @return this
         * @throws ScratchException EINVAL if out of range
         */
        public Builder<T> capacityPerCpu(int capacity) {
            this.capacityPerCpu = CpuSlots.checkRange("capacityPerCpu", capacity, 1, MAX_CAPACITY_PER_CPU);
            return this;
        }

        /**
         * Objects moved at once between a list and the transfer cache.
         *
         * @param batch ≥ 1 and at most {@code capacityPerCpu} (checked by {@link #build()})
         * @return this
         * @throws ScratchException EINVAL if below 1
         */
        public Builder<T> batch(int batch) {
            if (batch < 1) {
                throw new ScratchException(Errno.EINVAL, "batch " + batch + ": must be >= 1");
            }
            this.batch = batch;
            return this;
        }

        /**
         * The bound of the shared transfer cache (0: none, freed objects beyond the lists are dropped).
         *
         * @param capacity in [0, {@value #MAX_TRANSFER_CAPACITY}]
         * @return this
         * @throws ScratchException EINVAL if out of range
         */
        public Builder<T> transferCapacity(int capacity) {
            this.transferCapacity = CpuSlots.checkRange("transferCapacity", capacity, 0, MAX_TRANSFER_CAPACITY);
            return this;
        }

        /**
         * The pool.
         *
         * @return a new, empty pool
         * @throws ScratchException EINVAL if {@code batch} exceeds {@code capacityPerCpu}, or the
         *                          default transfer capacity ({@code cpus × capacityPerCpu}) exceeds
         *                          {@value #MAX_TRANSFER_CAPACITY}
         */
        public PerCpuPool<T> build() {
            if (batch > capacityPerCpu) {
                throw new ScratchException(Errno.EINVAL, "batch " + batch + ": must be <= capacityPerCpu "
                        + capacityPerCpu);
            }
            if (transferCapacity < 0 && (long) cpus * capacityPerCpu > MAX_TRANSFER_CAPACITY) {
                throw new ScratchException(Errno.EINVAL, "transferCapacity (default cpus x capacityPerCpu = "
                        + (long) cpus * capacityPerCpu + "): must be <= " + MAX_TRANSFER_CAPACITY + "; set it");
            }
            return new PerCpuPool<>(this);
        }
    }
}
