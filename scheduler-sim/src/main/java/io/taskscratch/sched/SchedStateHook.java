package io.taskscratch.sched;

import io.taskscratch.hook.HookContext;
import io.taskscratch.hook.HookProgram;
import io.taskscratch.hook.Tracepoint;
import io.taskscratch.map.StorageElement;
import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.region.ScratchRegion;
import io.taskscratch.task.TaskHandle;
import io.taskscratch.writer.RegionWriter;
import io.taskscratch.writer.WriteContext;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The standard sched-state hook: <b>this is where sched_switch writes {@code on_cpu}</b>. Attach
 * it to {@link Tracepoint#SCHED_SWITCH} and {@link Tracepoint#SCHED_MIGRATE_TASK}; for every
 * event it finds the task's region the way the uptr BPF program does,
 *
 * <pre>{@code
 * v = bpf_task_storage_get(&map, task, 0, 0);
 * if (v && v->udata) { v->udata->seq++; v->udata->on_cpu = 1; ...; v->udata->seq++; }
 * }</pre>
 *
 * ({@link RegionLookup#uptr}), or through a registered user address for the lossy and rseq
 * models, and writes the docs/design.md §3 fields through a {@link RegionWriter}, each update inside
 * the region's seqcount (odd while writing):
 * <ul>
 *   <li>sched_switch, {@code prev} (if it has a region): {@code on_cpu = 0}, {@code switches++},
 *       {@code last_switch_ns}, {@code preemptions++} if involuntary;</li>
 *   <li>sched_switch, {@code next}: {@code on_cpu = 1}, {@code cpu}, {@code switches++},
 *       {@code last_switch_ns};</li>
 *   <li>sched_migrate_task: {@code migrations++} ({@code cpu} stays the CPU it last ran on).</li>
 * </ul>
 *
 * <p><b>Who is {@code current}</b> matters for {@code bpf_probe_write_user}, which only writes
 * the current task's memory (EPERM otherwise). In sched_switch the current task is {@code prev}
 * (the tracepoint fires before the switch), so a program attached there can update {@code prev}
 * but a probe-write to {@code next} fails. {@link SwitchInContext#NEXT} models the best a real
 * program can do: write {@code next}'s switch-in from {@code next}'s own context right after the
 * switch (a second program on the return path, e.g. {@code fexit/finish_task_switch});
 * {@link SwitchInContext#PREV} is the naive single sched_switch program, whose switch-ins all
 * fail with EPERM. A migration is written on behalf of a task that is not running (by the
 * waker or the balancing softirq), so a probe-write always fails it with EPERM. The pinned
 * writer ignores contexts, as a uptr dereference does.
 *
 * <p><b>Residency</b> ({@link Residency}): before each write the hook lets memory pressure act
 * on the target page; after a switch-in the task runs and touches its own region, which faults
 * the page back in. Pinned regions are never evicted, so this only matters to lossy writers.
 */
public final class SchedStateHook implements HookProgram {
    /** The hook's name in error messages. */
    public static final String NAME = "sched_state";

    /** How the hook finds a task's region. */
    @FunctionalInterface
    public interface RegionLookup {
        /**
         * The task's region, or null if it registered none.
         *
         * @param ctx  the running hook's context
         * @param task the task (never null)
         * @return its region, or null
         */
        ScratchRegion find(HookContext ctx, TaskHandle task);

        /**
         * The uptr program: {@code bpf_task_storage_get(map, task, 0)}, null-check, then the
         * region behind uptr field {@code field}.
         *
         * @param map   the task-storage map the tasks registered in
         * @param field the uptr field
         * @return the lookup
         */
        static RegionLookup uptr(TaskStorageMap map, String field) {
            return (ctx, task) -> {
                StorageElement e = ctx.taskStorageGet(map, task, 0);
                return e == null ? null : ctx.region(e, field);
            };
        }
    }

    /** Page residency around the hook's writes (memory pressure); {@link #NONE} for pinned memory. */
    public interface Residency {
        /** No pressure: pages stay where they are. */
        Residency NONE = new Residency() {
            @Override
            public void beforeWrite(ScratchRegion target, long nowNs) {
            }

            @Override
            public void ownerRuns(ScratchRegion target) {
            }
        };

        /**
         * Memory pressure acts just before a write to {@code target} (it may evict its page).
         *
         * @param target the region about to be written
         * @param nowNs  the event time
         */
        void beforeWrite(ScratchRegion target, long nowNs);

        /**
         * The region's task was switched in and runs user code: its page is faulted back in.
         *
         * @param target the task's region
         */
        void ownerRuns(ScratchRegion target);
    }

    /** Whose context a switch-in write of {@code next} runs in (see the class comment). */
    public enum SwitchInContext {
        /** In sched_switch itself: current is {@code prev}, so probe-writes to {@code next} fail (EPERM). */
        PREV,
        /** Right after the switch, in {@code next}'s context: the best a probe-write program can do. */
        NEXT
    }

    private final RegionLookup lookup;
    private final RegionWriter writer;
    private final Residency residency;
    private final SwitchInContext switchInContext;
    private final Set<TaskStorageMap> usedMaps;
    /** The idle task ("swapper"), current when an idle CPU switches in a task; only for {@link SwitchInContext#PREV}. */
    private final TaskHandle idle;
    /** Reused contexts, so steady-state events do not allocate; hooks of one registry run one at a time here. */
    private final Map<TaskHandle, WriteContext> taskContexts = new IdentityHashMap<>();
    private final Map<TaskHandle, WriteContext> remoteContexts = new IdentityHashMap<>();

    /**
     * @param lookup          how to find a task's region
     * @param writer          pinned, lossy or rseq-style
     * @param residency       memory pressure around writes ({@link Residency#NONE} if none)
     * @param switchInContext whose context switch-ins are written from
     * @param usedMaps        the maps {@code lookup} uses, declared like a program's {@code used_maps}
     *                        (null: any map)
     */
    public SchedStateHook(RegionLookup lookup, RegionWriter writer, Residency residency, SwitchInContext switchInContext,
                          Set<TaskStorageMap> usedMaps) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.residency = Objects.requireNonNull(residency, "residency");
        this.switchInContext = Objects.requireNonNull(switchInContext, "switchInContext");
        this.usedMaps = usedMaps == null ? null : Set.copyOf(usedMaps);
        this.idle = switchInContext == SwitchInContext.PREV ? TaskHandle.simulated("swapper") : null;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<TaskStorageMap> usedMaps() {
        return usedMaps;
    }

    /** The writer the hook writes through (its counters tell how many writes landed). */
    public RegionWriter writer() {
        return writer;
    }

    @Override
    public void run(HookContext ctx) {
        switch (ctx.tracepoint()) {
            case SCHED_SWITCH -> onSwitch(ctx);
            case SCHED_MIGRATE_TASK -> onMigrate(ctx);
            default -> {
                // attached elsewhere: nothing to write
            }
        }
    }

    private void onSwitch(HookContext ctx) {
        TaskHandle prev = ctx.prev();
        TaskHandle next = ctx.next();
        long now = ctx.nowNs();
        if (prev != null) {
            ScratchRegion r = lookup.find(ctx, prev);
            if (r != null) {
                residency.beforeWrite(r, now);
                writer.switchOut(taskContext(prev), r, now, ctx.preempt());
            }
        }
        if (next != null) {
            ScratchRegion r = lookup.find(ctx, next);
            if (r != null) {
                residency.beforeWrite(r, now);
                TaskHandle current = switchInContext == SwitchInContext.NEXT ? next : prev != null ? prev : idle;
                writer.switchIn(taskContext(current), r, ctx.cpu(), now, false);
                residency.ownerRuns(r);
            }
        }
    }

    private void onMigrate(HookContext ctx) {
        TaskHandle task = ctx.task();
        if (task == null) {
            return;
        }
        ScratchRegion r = lookup.find(ctx, task);
        if (r != null) {
            residency.beforeWrite(r, ctx.nowNs());
            writer.migrated(remoteContexts.computeIfAbsent(task, t -> new WriteContext(t, WriteContext.Kind.INTERRUPT)), r);
        }
    }

    private WriteContext taskContext(TaskHandle task) {
        return taskContexts.computeIfAbsent(task, WriteContext::task);
    }

    @Override
    public String toString() {
        return "hook \"" + NAME + "\" (" + writer.getClass().getSimpleName() + ", switch-in from " + switchInContext + ")";
    }
}
