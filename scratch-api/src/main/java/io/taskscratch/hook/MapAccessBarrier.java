package io.taskscratch.hook;

import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

/**
 * The map-access barrier ({@code BPF_SYNC_MAP_ACCESS}, proposed for Linux in 2018): user space
 * changes what hooks find in a map, then waits until every hook invocation that could still see
 * the old contents has finished. The drain pattern:
 *
 * <pre>{@code
 * map.update(task, valueWith(fresh), MapFlags.EXIST);   // hooks now find `fresh`
 * MapAccessBarrier.syncMapAccess(map);                  // in-flight hooks that had `old` are done
 * HeaderSnapshot frozen = old.snapshot();               // nobody writes `old` any more
 * }</pre>
 *
 * <p>Implementation overview. Every non-sleepable hook invocation runs inside a NORMAL read
 * section of its registry's rcu domain, every sleepable one inside a TASKS_TRACE section
 * ({@link TracepointRegistry}). Attach records, before the hook can run, which (domain, flavor)
 * pairs may touch which maps: the hook's declared {@link HookProgram#usedMaps()}, or "any map"
 * when it declares none. The records only grow (a detached hook may still be running), and
 * are weak on maps and domains. The barrier waits for one grace period of each recorded pair
 * for the map; a map no hook may use needs no wait. A hook attached after the barrier read the
 * records was published after the caller's change, so it can only see the new contents.
 */
public final class MapAccessBarrier {
    private static final Object LOCK = new Object();
    /** Per map: the domains and flavors of hooks that declared it. Guarded by LOCK. */
    private static final Map<TaskStorageMap, Map<Rcu, EnumSet<Flavor>>> BY_MAP = new WeakHashMap<>();
    /** Domains and flavors of hooks that may use any map. Guarded by LOCK. */
    private static final Map<Rcu, EnumSet<Flavor>> ANY_MAP = new WeakHashMap<>();

    private MapAccessBarrier() {
    }

    static void register(HookLink link) {
        Rcu rcu = link.registry.rcu();
        Flavor f = link.sleepable ? Flavor.TASKS_TRACE : Flavor.NORMAL;
        synchronized (LOCK) {
            if (link.usedMaps == null) {
                add(ANY_MAP, rcu, f);
            } else {
                for (TaskStorageMap m : link.usedMaps) {
                    add(BY_MAP.computeIfAbsent(m, k -> new WeakHashMap<>()), rcu, f);
                }
            }
        }
    }

    private static void add(Map<Rcu, EnumSet<Flavor>> users, Rcu rcu, Flavor f) {
        users.computeIfAbsent(rcu, k -> EnumSet.noneOf(Flavor.class)).add(f);
    }

    /**
     * Returns once every hook invocation that could have seen {@code map}'s previous contents
     * has finished. Waits like {@link Rcu#synchronize}: spinning, then yielding, then parking
     * with backoff; concurrent barriers share grace periods.
     *
     * @throws IllegalStateException from inside a hook that may use the map (it would wait for itself)
     */
    public static void syncMapAccess(TaskStorageMap map) {
        sync(map, false);
    }

    /**
     * Like {@link #syncMapAccess} but never parks with backoff ({@link Rcu#synchronizeExpedited}):
     * returns as soon as the last such invocation ends, keeping a CPU busy meanwhile.
     *
     * @throws IllegalStateException from inside a hook that may use the map
     */
    public static void syncMapAccessExpedited(TaskStorageMap map) {
        sync(map, true);
    }

    private static void sync(TaskStorageMap map, boolean expedited) {
        Objects.requireNonNull(map, "map");
        Map<Rcu, EnumSet<Flavor>> users = new HashMap<>();
        synchronized (LOCK) {
            ANY_MAP.forEach((rcu, fs) -> users.put(rcu, EnumSet.copyOf(fs)));
            Map<Rcu, EnumSet<Flavor>> declared = BY_MAP.get(map);
            if (declared != null) {
                declared.forEach((rcu, fs) -> users.computeIfAbsent(rcu, k -> EnumSet.noneOf(Flavor.class)).addAll(fs));
            }
        }
        for (Map.Entry<Rcu, EnumSet<Flavor>> e : users.entrySet()) {
            for (Flavor f : e.getValue()) {
                if (expedited) {
                    e.getKey().synchronizeExpedited(f);
                } else {
                    e.getKey().synchronize(f);
                }
            }
        }
    }
}
