package io.taskscratch.demo;

import io.taskscratch.sched.CostProfile;
import io.taskscratch.sched.calibration.CalibrationProfile;

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
 * @param seed            first model seed (the same for every lock of a scenario: common random numbers)
 * @param seeds           how many consecutive seeds to run and pool (1 or more): one schedule of a few
 *                        milliseconds is chaotic, pooling several gives steadier numbers
 * @param memoryPressure  fraction of unpinned pages evicted every millisecond (lossy state)
 * @param checkInvariants check the model's invariants and, for pinned state, region agreement after every event
 * @param costs           what the model charges for switches, wake-ups, park, yield, clock reads ({@code --calibration})
 */
public record RunSpec(String scenario, LockChoice lock, int cpus, int threads, int hogs, Distribution cs, Distribution think,
                      String policy, long durationNs, long seed, int seeds, double memoryPressure, boolean checkInvariants,
                      CostProfile costs) {
    /** Validates the seed count. */
    public RunSpec {
        if (seeds < 1) {
            throw new IllegalArgumentException("seeds " + seeds + ": must be >= 1");
        }
    }

    /**
     * A run with the model's default costs (the checked-in calibration profile).
     *
     * @param scenario        see the record
     * @param lock            see the record
     * @param cpus            see the record
     * @param threads         see the record
     * @param hogs            see the record
     * @param cs              see the record
     * @param think           see the record
     * @param policy          see the record
     * @param durationNs      see the record
     * @param seed            see the record
     * @param seeds           see the record
     * @param memoryPressure  see the record
     * @param checkInvariants see the record
     */
    public RunSpec(String scenario, LockChoice lock, int cpus, int threads, int hogs, Distribution cs, Distribution think,
                   String policy, long durationNs, long seed, int seeds, double memoryPressure, boolean checkInvariants) {
        this(scenario, lock, cpus, threads, hogs, cs, think, policy, durationNs, seed, seeds, memoryPressure, checkInvariants,
                CalibrationProfile.defaultProfile().costs());
    }

    /**
     * This run with other model costs.
     *
     * @param c the costs
     * @return the copy
     */
    public RunSpec withCosts(CostProfile c) {
        return new RunSpec(scenario, lock, cpus, threads, hogs, cs, think, policy, durationNs, seed, seeds, memoryPressure, checkInvariants, c);
    }

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
        return new RunSpec(scenario, other, cpus, threads, hogs, cs, think, policy, durationNs, seed, seeds, memoryPressure, checkInvariants, costs);
    }

    /**
     * This run with another number of pooled seeds.
     *
     * @param n seeds
     * @return the copy
     */
    public RunSpec withSeeds(int n) {
        return new RunSpec(scenario, lock, cpus, threads, hogs, cs, think, policy, durationNs, seed, n, memoryPressure, checkInvariants, costs);
    }

    /**
     * This run with another scenario name, thread and hog count and duration.
     *
     * @param name the scenario
     * @param n    threads
     * @param h    hogs
     * @param ns   virtual duration
     * @return the copy
     */
    public RunSpec withThreads(String name, int n, int h, long ns) {
        return new RunSpec(name, lock, cpus, n, h, cs, think, policy, ns, seed, seeds, memoryPressure, checkInvariants, costs);
    }
}
