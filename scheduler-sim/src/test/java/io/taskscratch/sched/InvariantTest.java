package io.taskscratch.sched;

import io.taskscratch.sched.workload.Workloads;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InvariantTest {
    /** Negative control: a run queue whose poll peeks (forgets to remove), so a running task stays queued. */
    private static final class PeekingPolicy implements SchedPolicy {
        private final SchedPolicy inner = new RoundRobinPolicy(1_000_000);

        @Override
        public String name() {
            return "peeking";
        }

        @Override
        public RunQueue newRunQueue() {
            java.util.ArrayDeque<SimTask> q = new java.util.ArrayDeque<>();
            return new RunQueue() {
                @Override
                public void enqueue(SimTask task, EnqueueReason reason) {
                    q.addLast(task);
                }

                @Override
                public SimTask poll() {
                    return q.peekFirst();
                }

                @Override
                public boolean remove(SimTask task) {
                    return q.remove(task);
                }

                @Override
                public SimTask pollMigratable(long now, long hotNs, boolean ignoreHot) {
                    return q.pollLast();
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
        }

        @Override
        public boolean wakeupPreempts(RunQueue rq, SimTask running, SimTask woken) {
            return false;
        }

        @Override
        public void migrate(SimTask task, RunQueue from, RunQueue to) {
        }
    }

    @Test
    void brokenRunQueueIsCaught() {
        SimConfig c = SimConfig.builder().cpus(2).checkInvariants(true).build();
        Simulation sim = new Simulation(c, new PeekingPolicy());
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
