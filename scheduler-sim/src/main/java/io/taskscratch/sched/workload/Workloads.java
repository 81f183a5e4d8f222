package io.taskscratch.sched.workload;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.sched.SimTask;
import io.taskscratch.sched.Simulation;
import io.taskscratch.sched.TaskBody;

import java.util.ArrayList;
import java.util.List;

/** Ready-made task bodies and workloads for the scheduler model. */
public final class Workloads {
    private Workloads() {
    }

    /**
     * A CPU hog: works forever in chunks of {@code chunkNs} (each chunk is one model call).
     * Spawn it as a daemon so the run can end.
     *
     * @param chunkNs virtual nanoseconds per model call, &gt; 0
     * @return the body
     */
    public static TaskBody cpuHog(long chunkNs) {
        if (chunkNs <= 0) {
            throw new ScratchException(Errno.EINVAL, "chunkNs " + chunkNs + ": must be > 0");
        }
        return p -> {
            while (true) {
                p.work(chunkNs);
            }
        };
    }

    /**
     * Adds {@code hogs} daemon CPU hogs named {@code hog-0..}.
     *
     * @param sim     the simulation
     * @param hogs    how many
     * @param chunkNs work per model call
     * @return the hogs
     */
    public static List<SimTask> addHogs(Simulation sim, int hogs, long chunkNs) {
        List<SimTask> out = new ArrayList<>();
        for (int i = 0; i < hogs; i++) {
            out.add(sim.spawnDaemon("hog-" + i, cpuHog(chunkNs)));
        }
        return out;
    }

    /**
     * Lock contention: {@code tasks} tasks named {@code worker-0..} loop "lock, work
     * {@code csNs}, unlock, work a random 0..2×{@code nonCsNs}" forever (daemons; bound the run
     * by virtual time). The returned stats count acquisitions and watch mutual exclusion.
     *
     * @param sim     the simulation
     * @param lock    a lock on {@code sim.platform()}
     * @param tasks   number of contending tasks
     * @param csNs    critical section length
     * @param nonCsNs mean non-critical work
     * @return live statistics
     */
    public static ContentionStats lockContention(Simulation sim, SpinParkLock lock, int tasks, long csNs, long nonCsNs) {
        ContentionStats stats = new ContentionStats(tasks);
        for (int i = 0; i < tasks; i++) {
            int me = i;
            sim.spawnDaemon("worker-" + i, p -> {
                while (true) {
                    lock.lock();
                    stats.enter(me);
                    p.work(csNs);
                    stats.leave();
                    lock.unlock();
                    if (nonCsNs > 0) {
                        p.work(p.random().nextLong(2 * nonCsNs + 1));
                    }
                }
            });
        }
        return stats;
    }

    /** Acquisition counts and a mutual-exclusion check (locktorture's "in critical section" counter). */
    public static final class ContentionStats {
        private final long[] acquisitions;
        private int inside;
        private int maxInside;

        ContentionStats(int tasks) {
            acquisitions = new long[tasks];
        }

        void enter(int task) {
            acquisitions[task]++;
            inside++;
            maxInside = Math.max(maxInside, inside);
        }

        void leave() {
            inside--;
        }

        /** Acquisitions of task {@code i}. */
        public long acquisitions(int i) {
            return acquisitions[i];
        }

        /** All acquisitions. */
        public long total() {
            long s = 0;
            for (long a : acquisitions) {
                s += a;
            }
            return s;
        }

        /** Most tasks ever inside the critical section at once (1 for a correct lock). */
        public int maxInside() {
            return maxInside;
        }
    }
}
