package io.taskscratch.sched;

import io.taskscratch.sched.trace.TraceRecorder;
import io.taskscratch.sched.workload.SpinParkLock;
import io.taskscratch.sched.workload.Workloads;

/** A busy, varied workload used by determinism and trace tests. */
final class Scenarios {
    private Scenarios() {
    }

    /** Lock contention with marks, hogs, forks, timed parks and exits; returns the recorder after the run. */
    static TraceRecorder mixed(SimConfig config, long virtualNs) {
        Simulation sim = new Simulation(config);
        TraceRecorder rec = TraceRecorder.attach(sim);
        SpinParkLock lock = new SpinParkLock(sim.platform(), 20);
        for (int i = 0; i < 6; i++) {
            sim.spawnDaemon("locker-" + i, p -> {
                while (true) {
                    long t0 = p.now();
                    lock.lock();
                    long t1 = p.now();
                    p.mark("wait", t0, t1);
                    p.work(500 + p.random().nextLong(3_000));
                    lock.unlock();
                    p.mark("hold", t1, p.now());
                    p.work(p.random().nextLong(5_000));
                }
            });
        }
        Workloads.addHogs(sim, 2, 300_000);
        sim.spawn("forker", p -> {
            for (int i = 0; i < 5; i++) {
                p.fork("kid-" + i, q -> {
                    q.work(q.random().nextLong(2_000_000));
                    q.parkNanos(q.random().nextLong(1_000_000));
                    q.work(100_000);
                });
                p.parkNanos(1_000_000);
            }
        });
        sim.run(virtualNs);
        return rec;
    }

    /** Child-JVM entry point for the determinism test: prints the trace hash of {@link #mixed}. */
    public static void main(String[] args) {
        SimConfig c = SimConfig.builder().cpus(Integer.parseInt(args[0])).policy(args[1]).seed(Long.parseLong(args[2])).build();
        System.out.println("HASH " + mixed(c, Long.parseLong(args[3])).sha256());
    }
}
