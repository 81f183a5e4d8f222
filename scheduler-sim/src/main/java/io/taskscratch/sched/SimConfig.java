package io.taskscratch.sched;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.sched.calibration.CalibrationProfile;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that determines a simulation run besides the task bodies. Same configuration and
 * same bodies give the same event trace, bit for bit. Defaults come from Linux where Linux has
 * the tunable (see {@code docs/scheduler-sim.md}). Build with {@link #builder()}; the
 * constructor rejects bad values with {@code EINVAL} naming the field.
 *
 * @param cpus                 number of CPUs, 1 to {@value #MAX_CPUS}
 * @param policy               {@code "fair"} (CFS-like), {@code "eevdf"} (Linux 6.6+) or {@code "rr"} (round robin)
 * @param rrSliceNs            round-robin slice; Linux {@code sched_rr_timeslice_ms} = 100 ms
 * @param latencyNs            fair: targeted period; CFS {@code sched_latency_ns} = 6 ms
 * @param minGranularityNs     fair: minimum slice; CFS {@code sched_min_granularity_ns} = 0.75 ms
 * @param wakeupGranularityNs  fair: wakeup preemption threshold; CFS {@code sched_wakeup_granularity_ns} = 1 ms
 * @param wakeupPreemption     whether a woken task may preempt the running one (Linux feature WAKEUP_PREEMPTION, on)
 * @param costs                what switches, wake-ups, unpark, park, yield, clock reads and spin pauses cost
 *                             (default: the calibration profile checked in with the model,
 *                             {@link CalibrationProfile#defaultProfile()})
 * @param balanceIntervalNs    periodic load balancing interval (4 ms, one tick at CONFIG_HZ=250)
 * @param migrationCostNs      a task that ran this recently is cache hot and not moved by periodic
 *                             balancing; Linux {@code sched_migration_cost_ns} = 0.5 ms
 * @param idleStealing         a CPU going idle pulls a queued task from the busiest CPU (Linux newidle balance)
 * @param seed                 seed of the run's {@link java.util.SplittableRandom}
 * @param threads              threads that carry task bodies
 * @param watchdogMillis       host milliseconds without a model call after which a task is reported as
 *                             blocked outside the model
 * @param checkInvariants      check the model's invariants after every event (slow)
 */
public record SimConfig(
        int cpus,
        String policy,
        long rrSliceNs,
        long latencyNs,
        long minGranularityNs,
        long wakeupGranularityNs,
        boolean wakeupPreemption,
        CostProfile costs,
        long balanceIntervalNs,
        long migrationCostNs,
        boolean idleStealing,
        long seed,
        ThreadKind threads,
        long watchdogMillis,
        boolean checkInvariants) {

    /** Largest supported CPU count. */
    public static final int MAX_CPUS = 4096;

    /** Validates every field. */
    public SimConfig {
        if (cpus < 1 || cpus > MAX_CPUS) {
            throw invalid("cpus", cpus, "must be between 1 and " + MAX_CPUS);
        }
        if (policy == null) {
            throw new ScratchException(Errno.EINVAL, "policy null: must be one of " + SchedPolicy.NAMES);
        }
        if (!policy.equals(RoundRobinPolicy.NAME) && !policy.equals(FairPolicy.NAME) && !policy.equals(EevdfPolicy.NAME)) {
            throw new ScratchException(Errno.EINVAL,
                    "policy '" + policy + "': must be one of " + SchedPolicy.NAMES);
        }
        positive("rrSliceNs", rrSliceNs);
        positive("latencyNs", latencyNs);
        positive("minGranularityNs", minGranularityNs);
        if (minGranularityNs > latencyNs) {
            throw invalid("minGranularityNs", minGranularityNs, "must not exceed latencyNs " + latencyNs);
        }
        notNegative("wakeupGranularityNs", wakeupGranularityNs);
        if (costs == null) {
            throw new ScratchException(Errno.EINVAL, "costs null: give a CostProfile");
        }
        positive("balanceIntervalNs", balanceIntervalNs);
        notNegative("migrationCostNs", migrationCostNs);
        if (threads == null) {
            throw new ScratchException(Errno.EINVAL, "threads null: must be VIRTUAL or PLATFORM");
        }
        positive("watchdogMillis", watchdogMillis);
    }

    /** Cost of a context switch, charged to the incoming task ({@link CostProfile#contextSwitchNs()}). */
    public long contextSwitchNs() {
        return costs.contextSwitchNs();
    }

    /** Cost of one {@code spinPause()} ({@link CostProfile#spinPauseNs()}). */
    public long spinPauseNs() {
        return costs.spinPauseNs();
    }

    private static ScratchException invalid(String field, long value, String rule) {
        return new ScratchException(Errno.EINVAL, field + " " + value + ": " + rule);
    }

    private static void positive(String field, long value) {
        if (value <= 0) {
            throw invalid(field, value, "must be > 0");
        }
    }

    private static void notNegative(String field, long value) {
        if (value < 0) {
            throw invalid(field, value, "must be >= 0");
        }
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.cpus = cpus;
        b.policy = policy;
        b.rrSliceNs = rrSliceNs;
        b.latencyNs = latencyNs;
        b.minGranularityNs = minGranularityNs;
        b.wakeupGranularityNs = wakeupGranularityNs;
        b.wakeupPreemption = wakeupPreemption;
        b.costs = new LinkedHashMap<>(costs.asMap());
        b.balanceIntervalNs = balanceIntervalNs;
        b.migrationCostNs = migrationCostNs;
        b.idleStealing = idleStealing;
        b.seed = seed;
        b.threads = threads;
        b.watchdogMillis = watchdogMillis;
        b.checkInvariants = checkInvariants;
        return b;
    }

    /** Mutable builder for {@link SimConfig}; every setter returns {@code this}. */
    public static final class Builder {
        private int cpus = 1;
        private String policy = FairPolicy.NAME;
        private long rrSliceNs = 100_000_000L;
        private long latencyNs = 6_000_000L;
        private long minGranularityNs = 750_000L;
        private long wakeupGranularityNs = 1_000_000L;
        private boolean wakeupPreemption = true;
        private Map<String, Long> costs = new LinkedHashMap<>(CalibrationProfile.defaultProfile().costs().asMap());
        private long balanceIntervalNs = 4_000_000L;
        private long migrationCostNs = 500_000L;
        private boolean idleStealing = true;
        private long seed;
        private ThreadKind threads = ThreadKind.VIRTUAL;
        private long watchdogMillis = 2_000L;
        private boolean checkInvariants;

        private Builder() {
        }

        /** @param v see {@link SimConfig#cpus()} @return this */
        public Builder cpus(int v) { cpus = v; return this; }
        /** @param v see {@link SimConfig#policy()} @return this */
        public Builder policy(String v) { policy = v; return this; }
        /** @param v see {@link SimConfig#rrSliceNs()} @return this */
        public Builder rrSliceNs(long v) { rrSliceNs = v; return this; }
        /** @param v see {@link SimConfig#latencyNs()} @return this */
        public Builder latencyNs(long v) { latencyNs = v; return this; }
        /** @param v see {@link SimConfig#minGranularityNs()} @return this */
        public Builder minGranularityNs(long v) { minGranularityNs = v; return this; }
        /** @param v see {@link SimConfig#wakeupGranularityNs()} @return this */
        public Builder wakeupGranularityNs(long v) { wakeupGranularityNs = v; return this; }
        /** @param v see {@link SimConfig#wakeupPreemption()} @return this */
        public Builder wakeupPreemption(boolean v) { wakeupPreemption = v; return this; }
        /** @param v see {@link SimConfig#costs()} (all costs at once, e.g. a loaded profile's) @return this */
        public Builder costs(CostProfile v) { costs = new LinkedHashMap<>(v.asMap()); return this; }
        /** @param v see {@link CostProfile#contextSwitchNs()} @return this */
        public Builder contextSwitchNs(long v) { costs.put("contextSwitchNs", v); return this; }
        /** @param v see {@link CostProfile#spinPauseNs()} @return this */
        public Builder spinPauseNs(long v) { costs.put("spinPauseNs", v); return this; }
        /** @param v see {@link CostProfile#spinLoadPs()} @return this */
        public Builder spinLoadPs(long v) { costs.put("spinLoadPs", v); return this; }
        /** @param v see {@link CostProfile#timerSlackNs()} @return this */
        public Builder timerSlackNs(long v) { costs.put("timerSlackNs", v); return this; }
        /** @param v see {@link CostProfile#lineTransferNs()} @return this */
        public Builder lineTransferNs(long v) { costs.put("lineTransferNs", v); return this; }
        /** @param v see {@link CostProfile#wakeupIdleNs()} @return this */
        public Builder wakeupIdleNs(long v) { costs.put("wakeupIdleNs", v); return this; }
        /** @param v see {@link CostProfile#wakeupBusyNs()} @return this */
        public Builder wakeupBusyNs(long v) { costs.put("wakeupBusyNs", v); return this; }
        /** @param v see {@link CostProfile#unparkIdleNs()} @return this */
        public Builder unparkIdleNs(long v) { costs.put("unparkIdleNs", v); return this; }
        /** @param v see {@link CostProfile#unparkBusyNs()} @return this */
        public Builder unparkBusyNs(long v) { costs.put("unparkBusyNs", v); return this; }
        /** @param v see {@link CostProfile#parkNs()} @return this */
        public Builder parkNs(long v) { costs.put("parkNs", v); return this; }
        /** @param v see {@link CostProfile#yieldNs()} @return this */
        public Builder yieldNs(long v) { costs.put("yieldNs", v); return this; }
        /** @param v see {@link CostProfile#clockReadNs()} @return this */
        public Builder clockReadNs(long v) { costs.put("clockReadNs", v); return this; }
        /** @param v see {@link SimConfig#balanceIntervalNs()} @return this */
        public Builder balanceIntervalNs(long v) { balanceIntervalNs = v; return this; }
        /** @param v see {@link SimConfig#migrationCostNs()} @return this */
        public Builder migrationCostNs(long v) { migrationCostNs = v; return this; }
        /** @param v see {@link SimConfig#idleStealing()} @return this */
        public Builder idleStealing(boolean v) { idleStealing = v; return this; }
        /** @param v see {@link SimConfig#seed()} @return this */
        public Builder seed(long v) { seed = v; return this; }
        /** @param v see {@link SimConfig#threads()} @return this */
        public Builder threads(ThreadKind v) { threads = v; return this; }
        /** @param v see {@link SimConfig#watchdogMillis()} @return this */
        public Builder watchdogMillis(long v) { watchdogMillis = v; return this; }
        /** @param v see {@link SimConfig#checkInvariants()} @return this */
        public Builder checkInvariants(boolean v) { checkInvariants = v; return this; }

        /**
         * The configuration.
         *
         * @throws ScratchException EINVAL naming the first bad field
         */
        public SimConfig build() {
            return new SimConfig(cpus, policy, rrSliceNs, latencyNs, minGranularityNs, wakeupGranularityNs,
                    wakeupPreemption, CostProfile.of(costs), balanceIntervalNs, migrationCostNs,
                    idleStealing, seed, threads, watchdogMillis, checkInvariants);
        }
    }
}
