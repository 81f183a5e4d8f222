package io.taskscratch.map;

import java.util.Objects;

/**
 * The creation attributes of a map, as {@code BPF_MAP_CREATE} takes them. {@link #taskStorage}
 * gives the valid task-storage spec; the withers exist to build invalid ones too.
 *
 * @param type       the map type
 * @param flags      creation flags ({@link MapFlags#NO_PREALLOC} required, {@link MapFlags#CLONE} allowed)
 * @param maxEntries must be 0 for local storage
 * @param keySize    must be 4 (an int task fd)
 * @param value      the value struct
 */
public record MapSpec(MapType type, long flags, int maxEntries, int keySize, ValueType value) {
    /** Validates that components are present (their values are checked by {@link TaskStorageMap#create}). */
    public MapSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    /** A valid task-storage spec: NO_PREALLOC, max_entries 0, key size 4. */
    public static MapSpec taskStorage(ValueType value) {
        return new MapSpec(MapType.TASK_STORAGE, MapFlags.NO_PREALLOC, 0, 4, value);
    }

    /** This spec with another type. */
    public MapSpec withType(MapType t) {
        return new MapSpec(t, flags, maxEntries, keySize, value);
    }

    /** This spec with other flags. */
    public MapSpec withFlags(long f) {
        return new MapSpec(type, f, maxEntries, keySize, value);
    }

    /** This spec with another max_entries. */
    public MapSpec withMaxEntries(int n) {
        return new MapSpec(type, flags, n, keySize, value);
    }

    /** This spec with another key size. */
    public MapSpec withKeySize(int n) {
        return new MapSpec(type, flags, maxEntries, n, value);
    }
}
