package io.taskscratch.demo;

/**
 * The measurements of one run (virtual time throughout; nothing here depends on the host).
 *
 * @param spec               what ran
 * @param lockName           the lock's own name
 * @param acquisitions       acquisitions by all tasks
 * @param throughputPerSec   acquisitions per virtual second
 * @param p50Ns              acquire latency, 50th percentile
 * @param p99Ns              99th percentile
 * @param p999Ns             99.9th percentile
 * @param maxNs              maximum
 * @param spinNsPerAcq       CPU burnt in spin pauses per acquisition
 * @param yieldsPerAcq       CPU yields per acquisition
 * @param contextSwitches    switch-outs of the contending tasks (voluntary + involuntary)
 * @param preemptions        involuntary switch-outs of the contending tasks
 * @param workerCpus         CPU time the contending tasks received (context switches included) per unit of
 *                           time, in CPUs; NaN where not measured (the kernel backend)
 * @param parks              parks (timed and untimed) by the lock
 * @param handoffs           direct hand-offs (adaptive mutex), else 0
 * @param fairnessMinMax     fewest / most acquisitions of one task
 * @param jain               Jain's fairness index of the per-task acquisitions
 * @param starvation         acquisitions that waited more than 1 ms
 * @param writerAttempts     region writes attempted by the sched-state hook (0 without regions)
 * @param writerFailed       of which failed (EFAULT, EPERM, dropped hints)
 * @param truth              the adaptive mutex's owner-state answers graded against the model's truth
 *                           ({@link TruthMeter}); null where nothing was graded (classic locks, the kernel backend)
 */
public record RunResult(RunSpec spec, String lockName, long acquisitions, double throughputPerSec, long p50Ns, long p99Ns,
                        long p999Ns, long maxNs, double spinNsPerAcq, double yieldsPerAcq, long contextSwitches,
                        long preemptions, double workerCpus, long parks, long handoffs, double fairnessMinMax, double jain, long starvation,
                        long writerAttempts, long writerFailed, TruthMeter.Stats truth) {
    /** Failed writes as a fraction of attempts (0 without regions). */
    public double writerFailRate() {
        return writerAttempts == 0 ? 0 : writerFailed / (double) writerAttempts;
    }
}
