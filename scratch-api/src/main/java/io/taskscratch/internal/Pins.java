package io.taskscratch.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who pins which user memory: the kernel's page pin count, with a description of each holder
 * (map and task) so a refused free can name them.
 *
 * <p>Callers synchronize on the pinned object while they check-and-pin or check-and-free, so a
 * region cannot be freed between a map's check and its pin.
 */
public final class Pins {
    /** One pin: the object holding it (a map element) and a description for messages. */
    public record Holder(Object owner, String description) {
    }

    private static final Map<Object, List<Holder>> PINS = new ConcurrentHashMap<>();

    private Pins() {
    }

    /** Adds a pin on {@code target}. Caller holds {@code synchronized (target)}. */
    public static void pin(Object target, Holder holder) {
        PINS.computeIfAbsent(target, k -> new ArrayList<>()).add(holder);
    }

    /** Removes one pin of {@code owner} on {@code target}; no-op if absent. */
    public static void unpin(Object target, Object owner) {
        synchronized (target) {
            List<Holder> holders = PINS.get(target);
            if (holders == null) {
                return;
            }
            for (int i = 0; i < holders.size(); i++) {
                if (holders.get(i).owner() == owner) {
                    holders.remove(i);
                    break;
                }
            }
            if (holders.isEmpty()) {
                PINS.remove(target);
            }
        }
    }

    /** The current holders of pins on {@code target} (a copy). */
    public static List<Holder> holders(Object target) {
        synchronized (target) {
            List<Holder> holders = PINS.get(target);
            return holders == null ? List.of() : List.copyOf(holders);
        }
    }

    /** Whether anything pins {@code target}. */
    public static boolean isPinned(Object target) {
        return PINS.containsKey(target);
    }
}
