package io.taskscratch.rcu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The daemon thread that runs one flavor's callbacks of one domain. It takes everything queued
 * so far as a batch, waits for one grace period for the whole batch, and runs the batch in queue
 * order. {@link Marker}s ride in the queue to order {@link Rcu#rcuBarrier()} and chained
 * callbacks behind earlier callbacks; a batch of markers alone needs no grace period.
 */
final class CallbackWorker implements Runnable {
    /** A queue entry that needs no grace period of its own: it only runs after what precedes it. */
    interface Marker extends Runnable {
    }

    private final Rcu rcu;
    private final Flavor flavor;
    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final List<Runnable> batch = new ArrayList<>();
    private Thread thread;     // guarded by this
    private boolean stopped;   // guarded by this

    CallbackWorker(Rcu rcu, Flavor flavor) {
        this.rcu = rcu;
        this.flavor = flavor;
    }

    /** Queues {@code cb}; starts the thread on first use. */
    void enqueue(Runnable cb) {
        synchronized (this) {
            if (stopped) {
                throw new IllegalStateException("rcu domain '" + rcu.name() + "' is closed: cannot queue a "
                        + flavor + " callback");
            }
            if (thread == null) {
                thread = Thread.ofPlatform().daemon().name("rcu-" + rcu.name() + "-" + flavor.name().toLowerCase())
                        .start(this);
            }
        }
        queue.add(cb);
    }

    /** Whether the calling thread is this worker. */
    synchronized boolean isWorkerThread() {
        return thread == Thread.currentThread();
    }

    /** Stops the thread once it has run what is queued (the caller has drained with a barrier). */
    void stop() {
        Thread t;
        synchronized (this) {
            stopped = true;
            t = thread;
        }
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void run() {
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                if (queue.isEmpty()) {
                    return;
                }
                continue;
            }
            queue.drainTo(batch);
            boolean needGracePeriod = false;
            for (Runnable cb : batch) {
                needGracePeriod |= !(cb instanceof Marker);
            }
            if (needGracePeriod) {
                rcu.synchronize(flavor);
            }
            for (Runnable cb : batch) {
                try {
                    cb.run();
                } catch (Throwable t) {
                    rcu.options().callbackErrors().accept(t);
                }
            }
            batch.clear();
        }
    }
}
