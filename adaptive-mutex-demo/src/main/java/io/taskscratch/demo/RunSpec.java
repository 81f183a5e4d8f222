package io.taskscratch.demo;

/**
 * One simulated run of the comparison: a lock under a workload on a modelled machine.
 *
 * @param scenario        which part of the report the run belongs to (e.g. {@code table}, {@code oversub})
 * @param lock            the lock
 * @param cpus            modelled CPUs
 * @param threads         contending tasks
 * @param hogs            CPU-hog background tasks
 * @param cs              critical-section length
 * @param think           think time between acquisitions (uniform on [0, 2 × value])
 * @param policy          {@code fair} or {@code rr}
 * @param durationNs      virtual run time
 * @param seed            model seed (same for every lock of a scenario: common random numbers)
 * @param memoryPressure  fraction of unpinned pages evicted every millisecond (lossy state)
 * @param checkInvariants check the model's invariants and, for pinned state, region agreement after every event
 */
public record RunSpec(String scenario, LockChoice lock, int cpus, int threads, int hogs, Distribution cs, Distribution think,
                      String policy, long durationNs, long seed, double memoryPressure, boolean checkInvariants) {
    /** Threads per CPU, hogs included. */
    public double oversubscription() {
        return (threads + hogs) / (double) cpus;
    }

    /**
     * This run with another lock.
     *
     * @param other the lock
     * @return the copy
     */
    public RunSpec withLock(LockChoice other) {
        return new RunSpec(scenario, other, cpus, threads, hogs, cs, think, policy, durationNs, seed, memoryPressure, checkInvariants);
    }

    /**
     * This run with another thread count and scenario name.
     *
     * @param name the scenario
     * @param n    threads
     * @param ns   virtual duration
     * @return the copy
     */
    public RunSpec withThreads(String name, int n, long ns) {
        return new RunSpec(name, lock, cpus, n, hogs, cs, think, policy, ns, seed, memoryPressure, checkInvariants);
    }
}
