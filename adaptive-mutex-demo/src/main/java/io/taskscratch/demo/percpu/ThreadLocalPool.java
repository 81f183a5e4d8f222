package io.taskscratch.demo.percpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * The per-thread baseline: every thread has its own bounded stack (in a {@link ThreadLocal}), so
 * operations never contend, and the pool holds up to {@code threads × capacity} objects — the
 * memory problem per-CPU caches solve.
 *
 * @param <T> the pooled objects' type
 */
public final class ThreadLocalPool<T> implements ComparedPool<T> {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(Cache.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One thread's stack. */
    private static final class Cache {
        final Object[] items;
        int count; // written by the owner thread (opaque store), read opaque by held()

        Cache(int capacity) {
            items = new Object[capacity];
        }
    }

    private final Supplier<? extends T> factory;
    private final int capacity;
    private final Queue<Cache> caches = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<Cache> mine;

    /**
     * @param factory  makes an object when the thread's cache is empty
     * @param capacity the bound of each thread's cache
     */
    public ThreadLocalPool(Supplier<? extends T> factory, int capacity) {
        this.factory = Objects.requireNonNull(factory, "factory");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + ": must be >= 1");
        }
        this.capacity = capacity;
        this.mine = ThreadLocal.withInitial(() -> {
            Cache c = new Cache(this.capacity);
            caches.add(c);
            return c;
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public T allocate() {
        Cache c = mine.get();
        int n = c.count;
        if (n == 0) {
            return factory.get();
        }
        Object o = c.items[--n];
        c.items[n] = null;
        COUNT.setOpaque(c, n);
        return (T) o;
    }

    @Override
    public void free(T obj) {
        Cache c = mine.get();
        int n = c.count;
        if (n < capacity) {
            c.items[n] = obj;
            COUNT.setOpaque(c, n + 1);
        }
    }

    @Override
    public long held() {
        long h = 0;
        for (Cache c : caches) {
            h += (int) COUNT.getOpaque(c);
        }
        return h;
    }

    @Override
    public String name() {
        return "threadlocal";
    }
}
