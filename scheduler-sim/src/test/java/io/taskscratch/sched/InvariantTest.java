package io.taskscratch.sched;

import io.taskscratch.sched.workload.Workloads;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InvariantTest {
    /**
     * Negative control: round robin whose run queue hands out a task but keeps it queued (a
     * forgotten removal), so a running task is still in the queue.
     */
    private static final class ForgetfulPolicy implements SchedPolicy {
        private final SchedPolicy inner = new RoundRobinPolicy(1_000_000);

        @Override
        public String name() {
            return "forgetful";
        }

        @Override
        public RunQueue newRunQueue() {
            RunQueue q = inner.newRunQueue();
            return new RunQueue() {
                @Override
                public void enqueue(SimTask task, EnqueueReason reason) {
                    q.enqueue(task, reason);
                }

                @Override
                public SimTask poll() {
                    SimTask t = q.poll();
                    if (t != null) {
                        q.enqueue(t, EnqueueReason.PREEMPTED); // the bug
                    }
                    return t;
                }

                @Override
                public boolean remove(SimTask task) {
                    return q.remove(task);
                }

                @Override
                public SimTask pollMigratable(long now, long hotNs, boolean ignoreHot) {
                    return q.pollMigratable(now, hotNs, ignoreHot);
                }

                @Override
                public int size() {
                    return q.size();
                }

                @Override
                public void forEach(Consumer<SimTask> action) {
                    q.forEach(action);
                }
            };
        }

        @Override
        public long timeSlice(RunQueue rq, SimTask running) {
            return inner.timeSlice(rq, running);
        }

        @Override
        public void account(RunQueue rq, SimTask running, long ranNs) {
            inner.account(rq, running, ranNs);
        }

        @Override
        public boolean wakeupPreempts(RunQueue rq, SimTask running, SimTask woken) {
            return inner.wakeupPreempts(rq, running, woken);
        }

        @Override
        public void migrate(SimTask task, RunQueue from, RunQueue to) {
            inner.migrate(task, from, to);
        }
    }

    @Test
    void brokenRunQueueIsCaught() {
        SimConfig c = SimConfig.builder().cpus(2).checkInvariants(true).build();
        Simulation sim = new Simulation(c, new ForgetfulPolicy());
        sim.spawn("a", p -> p.work(1_000));
        SimFailureException f = assertThrows(SimFailureException.class, () -> sim.run(1_000_000));
        assertEquals(SimFailureException.Kind.INVARIANT, f.kind());
        assertTrue(f.getMessage().contains("task a#0 is queued twice or queued while running"), f.getMessage());
    }

    @Test
    void correctPolicyPassesTheSameChecks() {
        SimConfig c = SimConfig.builder().cpus(2).checkInvariants(true).build();
        Simulation sim = new Simulation(c, new RoundRobinPolicy(1_000_000));
        sim.spawn("a", p -> p.work(1_000));
        assertEquals(SimResult.Status.COMPLETED, sim.run(1_000_000).status());
    }

    @Test
    void registeredInvariantRunsAfterEveryEventAndCanFail() {
        SimConfig c = SimConfig.builder().cpus(2).checkInvariants(true).build();
        Simulation sim = new Simulation(c);
        int[] calls = new int[1];
        sim.addInvariant(s -> {
            calls[0]++;
            for (int cpu = 0; cpu < s.cpuCount(); cpu++) {
                SimTask t = s.runningOn(cpu);
                if (t != null && t.switches() > 7) {
                    throw new AssertionError("region of " + t + " disagrees");
                }
            }
        });
        Workloads.addHogs(sim, 4, 100_000);
        SimFailureException f = assertThrows(SimFailureException.class, () -> sim.run(1_000_000_000L));
        assertEquals(SimFailureException.Kind.INVARIANT, f.kind());
        assertTrue(f.getMessage().contains("disagrees"));
        assertTrue(calls[0] > 4);
    }
}
