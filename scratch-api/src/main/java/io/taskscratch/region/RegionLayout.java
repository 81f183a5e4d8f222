package io.taskscratch.region;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.internal.os.Libc;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shape of every region of one allocator: the §3 header, then the static keys defined at
 * build time, then a fixed budget for dynamic keys created at run time (the task-local-data
 * model of docs/design.md §5, improved: any key size from 1 byte, natural alignment instead of
 * rounding to 8, data size chosen at build time, and the OS page size instead of 4 KiB).
 *
 * <p>Rules and codes: a name is 1 to {@value #MAX_NAME_BYTES} UTF-8 bytes, else {@code EINVAL}
 * (the TLD library has no code for this: it silently truncates with {@code strscpy}; we refuse
 * instead); a duplicate name {@code EEXIST}; more than {@value #MAX_KEYS} keys, or a dynamic key
 * that no longer fits in what is left of the budget, {@code ENOSPC}; a key larger than the whole
 * dynamic budget, or a layout larger than one page, {@code E2BIG}; size below 1 {@code EINVAL}.
 *
 * <p>Dynamic keys are safe to create while regions exist: their bytes were reserved (and
 * zeroed) in every region from the start.
 */
public final class RegionLayout {
    /** Longest key name in UTF-8 bytes (TLD's {@code TLD_NAME_LEN}). */
    public static final int MAX_NAME_BYTES = 62;
    /** Most keys per layout (TLD: 63 per 4 KiB metadata page). */
    public static final int MAX_KEYS = 63;
    /** Dynamic budget of {@link #defaults()}: header 40 + 24 = one 64-byte cache line. */
    public static final int DEFAULT_DYNAMIC_BUDGET = 24;

    private final int dynamicStart;
    private final int regionSize;
    private final int stride;
    private final Map<String, Key> byName = new ConcurrentHashMap<>();
    private final List<Key> keys = new ArrayList<>();
    private int dynamicUsed;

    private RegionLayout(Builder b) {
        int off = RegionAbi.HEADER_SIZE;
        List<Key> built = new ArrayList<>();
        for (Builder.Spec s : b.specs) {
            int align = naturalAlignment(s.size);
            off = alignUp(off, align);
            built.add(new Key(this, s.name, off, s.size, align, false));
            off += s.size;
        }
        this.dynamicStart = alignUp(off, 8);
        this.regionSize = dynamicStart + b.dynamicBudget;
        this.stride = alignUp(regionSize, RegionAbi.CACHE_LINE);
        for (Key k : built) {
            byName.put(k.name(), k);
            keys.add(k);
        }
    }

    /** The default layout: the header plus a {@value #DEFAULT_DYNAMIC_BUDGET}-byte dynamic budget, stride 64. */
    public static RegionLayout defaults() {
        return builder().build();
    }

    /** A builder with no static keys and the default dynamic budget. */
    public static Builder builder() {
        return new Builder();
    }

    /** Bytes of every region (header, static keys, dynamic budget). */
    public int regionSize() {
        return regionSize;
    }

    /** Distance between regions in a slab: {@link #regionSize()} rounded up to a cache line. */
    public int stride() {
        return stride;
    }

    /** Regions per page of the OS page size. */
    public int regionsPerPage() {
        return (int) (Libc.pageSize() / stride);
    }

    /** Bytes available for dynamic keys in total. */
    public int dynamicBudget() {
        return regionSize - dynamicStart;
    }

    /** The key with this name. */
    public Key key(String name) {
        Key k = byName.get(name);
        if (k == null) {
            throw new ScratchException(Errno.ENOENT, "key name \"" + name + "\": no such key in this layout");
        }
        return k;
    }

    /** All keys, in creation order. */
    public synchronized List<Key> keys() {
        return List.copyOf(keys);
    }

    /**
     * Creates a key at run time from the dynamic budget.
     *
     * @throws ScratchException EINVAL bad name or size, EEXIST duplicate name, ENOSPC table full or
     *                          budget exhausted, E2BIG larger than the whole budget
     */
    public synchronized Key createKey(String name, int size) {
        checkName(name, byName.keySet());
        checkSize(name, size);
        if (keys.size() >= MAX_KEYS) {
            throw new ScratchException(Errno.ENOSPC, "key \"" + name + "\": key table full (" + MAX_KEYS + " keys)");
        }
        int budget = dynamicBudget();
        if (size > budget) {
            throw new ScratchException(Errno.E2BIG, "key \"" + name + "\" size " + size
                    + ": larger than the whole dynamic budget of " + budget + " bytes");
        }
        int align = naturalAlignment(size);
        int off = alignUp(dynamicStart + dynamicUsed, align);
        if (off + size > regionSize) {
            throw new ScratchException(Errno.ENOSPC, "key \"" + name + "\" size " + size + ": dynamic budget exhausted ("
                    + (regionSize - (dynamicStart + dynamicUsed)) + " of " + budget + " bytes left)");
        }
        Key k = new Key(this, name, off, size, align, true);
        dynamicUsed = off + size - dynamicStart;
        keys.add(k);
        byName.put(name, k);
        return k;
    }

    static int naturalAlignment(int size) {
        return Math.min(8, Integer.highestOneBit(size));
    }

    static int alignUp(int value, int align) {
        return (value + align - 1) & -align;
    }

    static void checkName(String name, java.util.Set<String> existing) {
        if (name == null || name.isEmpty()) {
            throw new ScratchException(Errno.EINVAL, "key name \"" + name + "\": must be 1 to " + MAX_NAME_BYTES + " bytes");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new ScratchException(Errno.EINVAL, "key name \"" + name + "\": " + bytes + " UTF-8 bytes, at most "
                    + MAX_NAME_BYTES + " allowed");
        }
        if (existing.contains(name)) {
            throw new ScratchException(Errno.EEXIST, "key name \"" + name + "\": already defined");
        }
    }

    static void checkSize(String name, int size) {
        if (size < 1) {
            throw new ScratchException(Errno.EINVAL, "key \"" + name + "\" size " + size + ": must be at least 1 byte");
        }
        if (size > Libc.pageSize() - RegionAbi.HEADER_SIZE) {
            throw new ScratchException(Errno.E2BIG, "key \"" + name + "\" size " + size + ": larger than a page ("
                    + Libc.pageSize() + " bytes) minus the " + RegionAbi.HEADER_SIZE + "-byte header");
        }
    }

    @Override
    public String toString() {
        return "RegionLayout[size " + regionSize + ", stride " + stride + ", keys " + keys().size() + "]";
    }

    /** Collects static keys and the dynamic budget; each refused call leaves the builder unchanged. */
    public static final class Builder {
        private record Spec(String name, int size) {
        }

        private final List<Spec> specs = new ArrayList<>();
        private final java.util.Set<String> names = new java.util.HashSet<>();
        private int staticBytes;
        private int dynamicBudget = DEFAULT_DYNAMIC_BUDGET;

        private Builder() {
        }

        /**
         * Adds a static key.
         *
         * @throws ScratchException EINVAL bad name or size, EEXIST duplicate, ENOSPC more than
         *                          {@value #MAX_KEYS} keys, E2BIG larger than a page
         */
        public Builder staticKey(String name, int size) {
            checkName(name, names);
            checkSize(name, size);
            if (specs.size() >= MAX_KEYS) {
                throw new ScratchException(Errno.ENOSPC, "key \"" + name + "\": key table full (" + MAX_KEYS + " keys)");
            }
            specs.add(new Spec(name, size));
            names.add(name);
            staticBytes += size;
            return this;
        }

        /**
         * Sets the bytes reserved in every region for dynamic keys (0 allowed).
         *
         * @throws ScratchException EINVAL if negative
         */
        public Builder dynamicBudget(int bytes) {
            if (bytes < 0) {
                throw new ScratchException(Errno.EINVAL, "dynamic budget " + bytes + ": must be >= 0");
            }
            this.dynamicBudget = bytes;
            return this;
        }

        /**
         * Builds the layout.
         *
         * @throws ScratchException E2BIG if a region would be larger than one page
         */
        public RegionLayout build() {
            long upper = RegionAbi.HEADER_SIZE + staticBytes + 8L * specs.size() + dynamicBudget;
            if (upper > Libc.pageSize()) {
                RegionLayout probe = upper > Integer.MAX_VALUE ? null : new RegionLayout(this);
                if (probe == null || probe.regionSize > Libc.pageSize()) {
                    throw new ScratchException(Errno.E2BIG, "layout of " + (probe == null ? upper : probe.regionSize)
                            + " bytes (header + static keys " + staticBytes + " + dynamic budget " + dynamicBudget
                            + "): a region may not be larger than one page (" + Libc.pageSize() + " bytes)");
                }
                return probe;
            }
            return new RegionLayout(this);
        }
    }
}
