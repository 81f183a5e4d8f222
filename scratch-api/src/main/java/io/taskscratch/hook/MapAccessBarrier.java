package io.taskscratch.hook;

import io.taskscratch.map.TaskStorageMap;
import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import java.util.EnumSet;
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
 * <p>Implementation overview. A map belongs to one rcu domain and only hooks of registries in
 * that domain may use it (attach refuses a declared map of another domain,
 * {@link HookContext#taskStorageGet} an undeclared one). Every
 * non-sleepable hook invocation runs inside a NORMAL read section of its registry's domain, every
 * sleepable one inside a TASKS_TRACE section ({@link TracepointRegistry}). Attach records, before
 * the hook can run, which flavors may touch which maps: per declared map of the hook's domain
 * ({@link HookProgram#usedMaps()}), or per domain for hooks that declare no maps ("any map").
 * The records only grow (a detached hook may still be running) and are weak on maps and
 * domains. The barrier waits for one grace period of the map's domain for each recorded flavor;
 * a map no hook may use needs no wait. A hook attached after the barrier read the records was
 * published after the caller's change, so it can only see the new contents.
 */
public final class MapAccessBarrier {
    private static final Object LOCK = new Object();
    /** Per map: the flavors of hooks of the map's domain that declared it. Guarded by LOCK. */
    private static final Map<TaskStorageMap, EnumSet<Flavor>> BY_MAP = new WeakHashMap<>();
    /** Per domain: the flavors of its hooks that may use any map. Guarded by LOCK. */
    private static final Map<Rcu, EnumSet<Flavor>> ANY_MAP = new WeakHashMap<>();

    private MapAccessBarrier() {
    }

    static void register(HookLink link) {
        Rcu rcu = link.registry.rcu();
        Flavor f = link.sleepable ? Flavor.TASKS_TRACE : Flavor.NORMAL;
        synchronized (LOCK) {
            if (link.usedMaps == null) {
                flavors(ANY_MAP, rcu).add(f);
            } else {
                for (TaskStorageMap m : link.usedMaps) {
                    flavors(BY_MAP, m).add(f); // attach refused maps of other domains
                }
            }
        }
    }

    private static <K> EnumSet<Flavor> flavors(Map<K, EnumSet<Flavor>> users, K key) {
        return users.computeIfAbsent(key, k -> EnumSet.noneOf(Flavor.class));
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
        Rcu rcu = Objects.requireNonNull(map, "map").rcu();
        EnumSet<Flavor> wait = EnumSet.noneOf(Flavor.class);
        synchronized (LOCK) {
            wait.addAll(ANY_MAP.getOrDefault(rcu, wait));
            wait.addAll(BY_MAP.getOrDefault(map, wait));
        }
        for (Flavor f : wait) {
            if (expedited) {
                rcu.synchronizeExpedited(f);
            } else {
                rcu.synchronize(f);
            }
        }
    }
}
