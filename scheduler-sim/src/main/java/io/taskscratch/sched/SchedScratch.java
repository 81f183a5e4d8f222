package io.taskscratch.sched;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.hook.HookLink;
import io.taskscratch.hook.Tracepoint;
import io.taskscratch.map.MapFlags;
import io.taskscratch.map.MapSpec;
import io.taskscratch.map.PointeeType;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.map.ValueType;
import io.taskscratch.platform.PlatformTask;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.region.HeaderField;
import io.taskscratch.region.HeaderSnapshot;
import io.taskscratch.region.MemoryOrder;
import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAbi;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import io.taskscratch.writer.LossyWriter;
import io.taskscratch.writer.PinnedWriter;
import io.taskscratch.writer.RegionWriter;
import io.taskscratch.writer.ResidencyModel;
import io.taskscratch.writer.RseqHintWriter;
import io.taskscratch.writer.WriterStats;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Scheduler state in scratch regions for one simulation run: the {@link TracepointBridge}, the
 * task-storage map, the region allocator, the writer and the {@link SchedStateHook} attached to
 * sched_switch and sched_migrate_task. Task bodies register their own region when they start
 * ({@link #register}, or wrap the body with {@link #registered}), as a thread would; from then
 * on every switch and migration writes the region.
 *
 * <pre>{@code
 * Simulation sim = new Simulation(SimConfig.builder().cpus(2).checkInvariants(true).build());
 * SchedScratch scratch = SchedScratch.attach(sim, SchedScratch.Options.pinned(7));
 * sim.addInvariant(scratch.agreement());            // pinned: every region equals the model
 * sim.spawn("w", scratch.registered(p -> p.work(1_000_000)));
 * sim.run(10_000_000);
 * scratch.close();
 * }</pre>
 *
 * <p>Implementation overview. Three writer models ({@link WriterKind}):
 * <ul>
 *   <li>PINNED: each task registers its region in the uptr map ({@code update} with NOEXIST),
 *       which pins the region's page; the hook finds it with {@code taskStorageGet} and writes
 *       through a {@link PinnedWriter}. Every write lands; memory pressure, if asked for, acts
 *       but never evicts a pinned page.</li>
 *   <li>LOSSY: {@code bpf_probe_write_user}. The region is registered only as a user address (a
 *       plain map value in the BPF world; here a table by task), so nothing pins it. Each region
 *       gets a page of its own, as separately allocated per-thread blocks would. Before each
 *       write the page is evicted with probability {@code dropRate}, and every
 *       {@value #PRESSURE_INTERVAL_NS} ns of virtual time a fraction {@code memoryPressure} of all
 *       unpinned pages is evicted; a page comes back when its task runs (its switch-in). The
 *       {@link LossyWriter} fails with EFAULT on an evicted page and with EPERM when the target
 *       is not current (migrations always; see {@link SchedStateHook}).</li>
 *   <li>RSEQ: the rseq sched_state hint, registered like rseq's area (a user address): switch-ins
 *       land, each switch-out is lost with probability {@code dropRate} ({@link RseqHintWriter}).</li>
 * </ul>
 * Registration initialises the header the way a running thread can: {@code on_cpu = 1} and its
 * CPU (a registering task is by definition running); the counters count from registration on,
 * so {@link #agreement()} compares them with the model's counters minus their values at
 * registration.
 */
public final class SchedScratch implements AutoCloseable {
    /** Memory pressure acts this often (virtual ns) in the LOSSY model. */
    public static final long PRESSURE_INTERVAL_NS = 1_000_000L;
    /**
     * Dynamic-key budget of PINNED regions: the default {@value RegionLayout#DEFAULT_DYNAMIC_BUDGET}
     * bytes plus 256 for user keys such as the resilient mutex's held-locks table, so a region is
     * 320 bytes (12 per 4 KiB page). LOSSY and RSEQ regions fill a page each and have room anyway.
     */
    public static final int PINNED_KEY_BUDGET = RegionLayout.DEFAULT_DYNAMIC_BUDGET + 256;
    /** The uptr field of the map value. */
    public static final String UPTR_FIELD = "udata";

    /** How the hook writes regions. */
    public enum WriterKind {
        /** uptr: the map pins the region, every write lands. */
        PINNED,
        /** {@code bpf_probe_write_user}: EFAULT on evicted pages, EPERM for other tasks' memory. */
        LOSSY,
        /** rseq-style hint: set on switch-in reliably, clear on switch-out lossy. */
        RSEQ
    }

    /**
     * What to model.
     *
     * @param writer          the writer model
     * @param dropRate        LOSSY: probability a written page was evicted; RSEQ: probability a clear is lost
     * @param memoryPressure  LOSSY: fraction of unpinned pages evicted every {@value #PRESSURE_INTERVAL_NS} ns
     * @param switchInContext whose context switch-ins are written from
     * @param seed            seed of drops and evictions
     */
    public record Options(WriterKind writer, double dropRate, double memoryPressure,
                          SchedStateHook.SwitchInContext switchInContext, long seed) {
        /** Validates the rates. */
        public Options {
            Objects.requireNonNull(writer, "writer");
            Objects.requireNonNull(switchInContext, "switchInContext");
            if (!(dropRate >= 0 && dropRate <= 1)) {
                throw new ScratchException(Errno.EINVAL, "dropRate " + dropRate + ": must be in [0, 1]");
            }
            if (!(memoryPressure >= 0 && memoryPressure <= 1)) {
                throw new ScratchException(Errno.EINVAL, "memoryPressure " + memoryPressure + ": must be in [0, 1]");
            }
        }

        /** The uptr model. */
        public static Options pinned(long seed) {
            return new Options(WriterKind.PINNED, 0, 0, SchedStateHook.SwitchInContext.NEXT, seed);
        }

        /** The probe-write model with a drop rate (switch-ins written from next's context). */
        public static Options lossy(double dropRate, double memoryPressure, long seed) {
            return new Options(WriterKind.LOSSY, dropRate, memoryPressure, SchedStateHook.SwitchInContext.NEXT, seed);
        }

        /** The rseq-hint model with the probability of a lost clear. */
        public static Options rseq(double dropRate, long seed) {
            return new Options(WriterKind.RSEQ, dropRate, 0, SchedStateHook.SwitchInContext.NEXT, seed);
        }
    }

    /** One task's registration; attached to its {@link SimTask}. */
    public static final class TaskScratch {
        private final SimTask task;
        private final TaskHandle handle;
        private final ScratchRegion region;
        private final long baseSwitches;
        private final int baseMigrations;
        private final int basePreemptions;
        private HeaderSnapshot lastSeen;

        TaskScratch(SimTask task, TaskHandle handle, ScratchRegion region) {
            this.task = task;
            this.handle = handle;
            this.region = region;
            this.baseSwitches = task.switches();
            this.baseMigrations = task.migrations();
            this.basePreemptions = task.preemptions();
        }

        /** The task. */
        public SimTask task() {
            return task;
        }

        /** Its task handle. */
        public TaskHandle handle() {
            return handle;
        }

        /** Its region. */
        public ScratchRegion region() {
            return region;
        }
    }

    private final Simulation sim;
    private final Options options;
    private final Rcu rcu;
    private final TracepointBridge bridge;
    private final RegionAllocator allocator;
    private final TaskStorageMap map;
    private final RegionWriter writer;
    private final ResidencyModel residency;
    private final SchedStateHook hook;
    private final List<HookLink> links = new ArrayList<>();
    private final List<TaskScratch> registered = new ArrayList<>();
    /** LOSSY and RSEQ: the registered user addresses, by task handle. */
    private final Map<TaskHandle, ScratchRegion> addresses = new IdentityHashMap<>();

    private SchedScratch(Simulation sim, Options options) {
        this.sim = sim;
        this.options = options;
        this.rcu = Rcu.create("sim-scratch");
        this.bridge = TracepointBridge.attach(sim, rcu);
        RegionLayout defaults = RegionLayout.defaults();
        RegionLayout layout = options.writer() == WriterKind.PINNED ? RegionLayout.builder().dynamicBudget(PINNED_KEY_BUDGET).build()
                : RegionLayout.builder().dynamicBudget(defaults.regionsPerPage() * defaults.stride() - RegionAbi.HEADER_SIZE).build();
        this.allocator = RegionAllocator.create(layout, PinMode.UNPINNED);
        this.map = TaskStorageMap.create("sched_scratch", MapSpec.taskStorage(ValueType.singleUptr(UPTR_FIELD, PointeeType.of(layout))), rcu);
        this.residency = new ResidencyModel(options.seed());
        SplittableRandom random = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
        SchedStateHook.Residency pressure = SchedStateHook.Residency.NONE;
        SchedStateHook.RegionLookup lookup = (ctx, task) -> task.isAlive() ? addresses.get(task) : null;
        Set<TaskStorageMap> maps = null;
        switch (options.writer()) {
            case PINNED -> {
                writer = new PinnedWriter();
                lookup = SchedStateHook.RegionLookup.uptr(map, UPTR_FIELD);
                maps = Set.of(map);
                pressure = new Pressure(random); // acts, but the map's pin keeps every region resident
            }
            case LOSSY -> {
                writer = new LossyWriter(residency);
                pressure = new Pressure(random);
            }
            default -> writer = new RseqHintWriter(options.dropRate(), random.nextLong());
        }
        this.hook = new SchedStateHook(lookup, writer, pressure, options.switchInContext(), maps);
        links.add(bridge.registry().attach(Tracepoint.SCHED_SWITCH, hook, false));
        links.add(bridge.registry().attach(Tracepoint.SCHED_MIGRATE_TASK, hook, false));
    }

    /**
     * Sets up scratch regions for {@code sim} (before its run): adds the bridge as a listener and
     * attaches the hook.
     *
     * @param sim     the simulation
     * @param options the writer model
     * @return the run's scratch state; close it after the run
     */
    public static SchedScratch attach(Simulation sim, Options options) {
        return new SchedScratch(Objects.requireNonNull(sim, "sim"), Objects.requireNonNull(options, "options"));
    }

    /** The options. */
    public Options options() {
        return options;
    }

    /** The tracepoint bridge. */
    public TracepointBridge bridge() {
        return bridge;
    }

    /** The uptr task-storage map (used by the PINNED model). */
    public TaskStorageMap map() {
        return map;
    }

    /** The hook. */
    public SchedStateHook hook() {
        return hook;
    }

    /** The rcu domain hooks run in; readers of regions use it too. */
    public Rcu rcu() {
        return rcu;
    }

    /** The writer's counters: attempts, landed, EFAULT, EPERM. */
    public WriterStats writerStats() {
        return writer.stats();
    }

    /** The residency model (LOSSY evictions). */
    public ResidencyModel residency() {
        return residency;
    }

    /**
     * Registers the calling task's region: allocate, initialise {@code on_cpu}/{@code cpu},
     * register (uptr update or user address), attach to the task. Call from a task body.
     *
     * @param p the platform passed to the body
     * @return the registration
     * @throws ScratchException EEXIST if the task already registered
     */
    public TaskScratch register(SimPlatform p) {
        SimTask self = p.currentTask();
        if (self.attachment() instanceof TaskScratch) {
            throw new ScratchException(Errno.EEXIST, "task " + self + ": already registered a scratch region");
        }
        TaskHandle handle = bridge.handle(self);
        ScratchRegion region = allocator.allocate(handle);
        int token = region.beginWrite(); // user space: "I am running, on this CPU"
        region.set(HeaderField.ON_CPU, 1, MemoryOrder.PLAIN);
        region.set(HeaderField.CPU, self.cpu(), MemoryOrder.PLAIN);
        region.endWrite(token);
        if (options.writer() == WriterKind.PINNED) {
            map.update(handle, map.newValue().setUptr(UPTR_FIELD, region), MapFlags.NOEXIST);
        } else {
            addresses.put(handle, region);
        }
        TaskScratch s = new TaskScratch(self, handle, region);
        registered.add(s);
        self.attach(s);
        return s;
    }

    /**
     * Wraps a body so it registers its region first.
     *
     * @param body the task's code
     * @return register, then {@code body}
     */
    public TaskBody registered(TaskBody body) {
        Objects.requireNonNull(body, "body");
        return p -> {
            register(p);
            body.run(p);
        };
    }

    /**
     * The region of {@code task} if it is a task of this run that registered one, else null.
     *
     * @param task any platform task
     * @return its region, or null
     */
    public static ScratchRegion regionOf(PlatformTask task) {
        return task instanceof SimTask t && t.attachment() instanceof TaskScratch s ? s.region : null;
    }

    /**
     * The pinned-writer invariant for {@link Simulation#addInvariant}: after every event, every
     * registered region of a live task agrees with the model (on_cpu; cpu while running;
     * switches, migrations and preemptions since registration; last_switch_ns once written) and
     * its counters never decrease. Holds for the PINNED model; lossy models break it (the
     * negative control).
     *
     * @return the invariant
     */
    public SimInvariant agreement() {
        return s -> {
            for (TaskScratch ts : registered) {
                SimTask t = ts.task;
                if (t.state() == TaskState.EXITED) {
                    continue;
                }
                HeaderSnapshot h = ts.region.snapshot();
                String who = "region of " + t + " (" + options.writer() + "): ";
                require(h.onCpu() == t.onCpu(), who + "on_cpu " + h.onCpu() + ", model " + t.onCpu());
                require(!t.onCpu() || h.cpu() == t.cpu(), who + "cpu " + h.cpu() + ", model " + t.cpu());
                require(h.switches() == t.switches() - ts.baseSwitches, who + "switches " + h.switches()
                        + ", model " + (t.switches() - ts.baseSwitches) + " since registration");
                require(h.switches() == 0 || h.lastSwitchNs() == t.lastSwitchNs(), who + "last_switch_ns "
                        + h.lastSwitchNs() + ", model " + t.lastSwitchNs());
                require(h.migrations() == t.migrations() - ts.baseMigrations, who + "migrations " + h.migrations()
                        + ", model " + (t.migrations() - ts.baseMigrations));
                require(h.preemptions() == t.preemptions() - ts.basePreemptions, who + "preemptions "
                        + h.preemptions() + ", model " + (t.preemptions() - ts.basePreemptions));
                HeaderSnapshot last = ts.lastSeen;
                require(last == null || (h.switches() >= last.switches() && h.lastSwitchNs() >= last.lastSwitchNs()
                        && h.migrations() >= last.migrations() && h.preemptions() >= last.preemptions()), who + "counters went back");
                ts.lastSeen = h;
            }
        };
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    /** Detaches the hook, closes the map (unpinning everything) and frees the regions and the rcu domain. */
    @Override
    public void close() {
        for (HookLink l : links) {
            l.close();
        }
        map.close();
        for (TaskScratch ts : registered) {
            if (!ts.region.isFreed()) {
                ts.region.close();
            }
        }
        rcu.close();
    }

    @Override
    public String toString() {
        return "SchedScratch[" + options.writer() + ", " + registered.size() + " regions, " + sim.config().cpus() + " cpus]";
    }

    /** LOSSY residency: per-write evictions at the drop rate, periodic pressure, faults back in when the owner runs. */
    private final class Pressure implements SchedStateHook.Residency {
        private final SplittableRandom random;
        private long nextPressureNs = PRESSURE_INTERVAL_NS;

        Pressure(SplittableRandom random) {
            this.random = random;
        }

        @Override
        public void beforeWrite(ScratchRegion target, long nowNs) {
            if (options.memoryPressure() > 0 && nowNs >= nextPressureNs) {
                List<ScratchRegion> all = new ArrayList<>(registered.size());
                for (TaskScratch ts : registered) {
                    all.add(ts.region);
                }
                residency.applyPressure(all, options.memoryPressure());
                nextPressureNs = (nowNs / PRESSURE_INTERVAL_NS + 1) * PRESSURE_INTERVAL_NS;
            }
            if (options.dropRate() > 0 && random.nextDouble() < options.dropRate()) {
                residency.evict(target);
            }
        }

        @Override
        public void ownerRuns(ScratchRegion target) {
            residency.touch(target);
        }
    }
}
