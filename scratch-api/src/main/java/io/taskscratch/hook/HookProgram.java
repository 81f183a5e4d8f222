package io.taskscratch.hook;

import io.taskscratch.map.TaskStorageMap;
import java.util.Objects;
import java.util.Set;

/**
 * A hook program: Java code run at a {@link Tracepoint}, the counterpart of a BPF program
 * attached to a raw tracepoint. It sees the event and the runtime's helpers through its
 * {@link HookContext}, and must obey the rules the context enforces (see
 * {@link HookContext}); a hook that breaks one is detached and its {@link HookLink} records why.
 *
 * <p>Like a BPF program it has a name (for error messages) and may declare the maps it uses
 * ({@code used_maps}); {@link MapAccessBarrier#syncMapAccess} waits only for hooks that may use
 * the map. Build named hooks with {@link #of(String, HookProgram)} or
 * {@link #of(String, Set, HookProgram)}.
 */
@FunctionalInterface
public interface HookProgram {
    /** Runs the hook for one event. Must return promptly unless the hook was attached sleepable. */
    void run(HookContext ctx);

    /** The hook's name in error messages; defaults to the class name. */
    default String name() {
        return getClass().getName();
    }

    /**
     * The maps this hook may access, or {@code null} (the default) for "any map": the map-access
     * barrier then waits for this hook whatever map it drains. A hook that declares maps may use
     * only those ({@link HookContext#taskStorageGet} refuses others).
     */
    default Set<TaskStorageMap> usedMaps() {
        return null;
    }

    /** A hook named {@code name} that may use any map. */
    static HookProgram of(String name, HookProgram body) {
        return new Named(Objects.requireNonNull(name, "name"), null, Objects.requireNonNull(body, "body"));
    }

    /** A hook named {@code name} that uses only {@code usedMaps}. */
    static HookProgram of(String name, Set<TaskStorageMap> usedMaps, HookProgram body) {
        return new Named(Objects.requireNonNull(name, "name"), Set.copyOf(usedMaps), Objects.requireNonNull(body, "body"));
    }

    /**
     * A program with a name and declared maps around a body.
     *
     * @param name     the hook's name
     * @param usedMaps the maps it may use, or {@code null} for any
     * @param body     what it runs
     */
    record Named(String name, Set<TaskStorageMap> usedMaps, HookProgram body) implements HookProgram {
        @Override
        public void run(HookContext ctx) {
            body.run(ctx);
        }
    }
}
