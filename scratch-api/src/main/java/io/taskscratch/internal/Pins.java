package io.taskscratch.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who pins which user memory: the kernel's page pin count, kept per owner (a map element) with
 * a description (map and task) so a refused free can name the holders. Pin and unpin are O(1).
 *
 * <p>Callers hold {@code synchronized (target)} around check-and-pin (and the region around
 * check-and-free), so a region cannot be freed between a map's check and its pin.
 */
public final class Pins {
    /** The pins one owner holds on one target (an element may point two fields at one region). */
    private static final class Held {
        final String description;
        int count;

        Held(String description) {
            this.description = description;
        }
    }

    private static final Map<Object, LinkedHashMap<Object, Held>> PINS = new ConcurrentHashMap<>();

    private Pins() {
    }

    /** Adds a pin of {@code owner} on {@code target}. Caller holds {@code synchronized (target)}. */
    public static void pin(Object target, Object owner, String description) {
        PINS.computeIfAbsent(target, k -> new LinkedHashMap<>()).computeIfAbsent(owner, k -> new Held(description)).count++;
    }

    /** Removes one pin of {@code owner} on {@code target}; no-op if absent. */
    public static void unpin(Object target, Object owner) {
        synchronized (target) {
            LinkedHashMap<Object, Held> holders = PINS.get(target);
            Held h = holders == null ? null : holders.get(owner);
            if (h == null) {
                return;
            }
            if (--h.count == 0) {
                holders.remove(owner);
            }
            if (holders.isEmpty()) {
                PINS.remove(target);
            }
        }
    }

    /** Descriptions of the current holders of pins on {@code target}, oldest first. */
    public static List<String> holders(Object target) {
        synchronized (target) {
            LinkedHashMap<Object, Held> holders = PINS.get(target);
            List<String> out = new ArrayList<>();
            if (holders != null) {
                holders.values().forEach(h -> out.add(h.description));
            }
            return out;
        }
    }

    /** Whether anything pins {@code target}. */
    public static boolean isPinned(Object target) {
        return PINS.containsKey(target);
    }
}
