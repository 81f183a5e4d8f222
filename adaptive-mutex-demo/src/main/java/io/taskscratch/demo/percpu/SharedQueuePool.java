package io.taskscratch.demo.percpu;

import java.util.Objects;
import java.util.function.Supplier;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * The shared lock-free baseline: one bounded MPMC queue (Agrona's
 * {@link ManyToManyConcurrentArrayQueue}, which needs no {@code --add-exports}) that every thread
 * polls and offers, so its memory is bounded but every operation contends on the queue's head
 * and tail.
 *
 * @param <T> the pooled objects' type
 */
public final class SharedQueuePool<T> implements ComparedPool<T> {
    private final Supplier<? extends T> factory;
    private final ManyToManyConcurrentArrayQueue<T> queue;

    /**
     * @param factory  makes an object when the queue is empty
     * @param capacity the queue's bound (Agrona rounds it up to a power of two)
     */
    public SharedQueuePool(Supplier<? extends T> factory, int capacity) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.queue = new ManyToManyConcurrentArrayQueue<>(capacity);
    }

    @Override
    public T allocate() {
        T t = queue.poll();
        return t != null ? t : factory.get();
    }

    @Override
    public void free(T obj) {
        queue.offer(obj); // dropped when full
    }

    @Override
    public long held() {
        return queue.size();
    }

    @Override
    public String name() {
        return "shared";
    }
}
