package io.taskscratch.hook;

import io.taskscratch.map.TaskStorageMap;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * One attached hook, as returned by {@link TracepointRegistry#attach}: closing it detaches the
 * hook (like closing a BPF link). Detaching does not wait: invocations already running finish,
 * and invocations of events that had already loaded the hook array may still start until a grace
 * period has passed; {@link TracepointRegistry#synchronize()} after {@link #close()} guarantees
 * the hook never runs again.
 *
 * <p>The runtime detaches a hook itself when it breaks a rule ({@link HookContext}) or throws;
 * {@link #failure()} then tells why.
 */
public final class HookLink implements AutoCloseable {
    final TracepointRegistry registry;
    final Tracepoint tracepoint;
    final HookProgram program;
    final String name;
    final boolean sleepable;
    /** Declared maps, or null for any map. */
    final Set<TaskStorageMap> usedMaps;
    final LongAdder misses = new LongAdder();
    /** Written under the registry's writer lock; volatile so any thread can ask. */
    volatile boolean attached = true;
    /** Why the runtime detached the hook; written before {@code attached} is cleared. */
    volatile Throwable failure;

    HookLink(TracepointRegistry registry, Tracepoint tracepoint, HookProgram program, boolean sleepable) {
        this.registry = registry;
        this.tracepoint = tracepoint;
        this.program = program;
        this.name = program.name();
        this.sleepable = sleepable;
        Set<TaskStorageMap> maps = program.usedMaps();
        this.usedMaps = maps == null ? null : Set.copyOf(maps);
    }

    /** The tracepoint the hook is attached to. */
    public Tracepoint tracepoint() {
        return tracepoint;
    }

    /** The hook's name ({@link HookProgram#name()}). */
    public String name() {
        return name;
    }

    /** Whether the hook was attached sleepable (may block; runs in tasks-trace read sections). */
    public boolean sleepable() {
        return sleepable;
    }

    /** Whether the hook is still attached (not closed, not detached by the runtime). */
    public boolean isAttached() {
        return attached;
    }

    /**
     * Why the runtime detached the hook: a {@link io.taskscratch.ScratchException} for a broken
     * rule, or whatever the hook threw; {@code null} while attached or after a plain
     * {@link #close()}.
     */
    public Throwable failure() {
        return failure;
    }

    /**
     * Events the hook missed because they fired recursively, from inside a hook on the same thread
     * (the kernel's {@code recursion_misses}): the runtime does not re-enter hooks.
     */
    public long misses() {
        return misses.sum();
    }

    /** Whether the hook may access {@code map} (it declared it, or declared no maps). */
    public boolean mayUse(TaskStorageMap map) {
        return usedMaps == null || usedMaps.contains(map);
    }

    /** Detaches the hook; idempotent; does not wait (see the class comment). */
    @Override
    public void close() {
        registry.detach(this, null);
    }

    @Override
    public String toString() {
        return "hook \"" + name + "\" on " + tracepoint + (sleepable ? " (sleepable)" : "");
    }
}
