package io.taskscratch.region;

/**
 * A named field in every region of one {@link RegionLayout}: look it up by name once, keep the
 * object, and pass it to the region accessors (the offset is cached here, as TLD programs cache
 * a key's offset).
 */
public final class Key {
    private final RegionLayout layout;
    private final String name;
    private final int offset;
    private final int size;
    private final int alignment;
    private final boolean dynamic;

    Key(RegionLayout layout, String name, int offset, int size, int alignment, boolean dynamic) {
        this.layout = layout;
        this.name = name;
        this.offset = offset;
        this.size = size;
        this.alignment = alignment;
        this.dynamic = dynamic;
    }

    /** The layout this key belongs to; only regions of that layout accept it. */
    public RegionLayout layout() {
        return layout;
    }

    /** The key's name (at most {@value RegionLayout#MAX_NAME_BYTES} UTF-8 bytes). */
    public String name() {
        return name;
    }

    /** Byte offset from the start of the region. */
    public int offset() {
        return offset;
    }

    /** Size in bytes, exactly as requested (no rounding). */
    public int size() {
        return size;
    }

    /** Alignment of {@link #offset()}: the natural alignment of the size, at most 8. */
    public int alignment() {
        return alignment;
    }

    /** Whether the key was created at run time from the dynamic budget. */
    public boolean isDynamic() {
        return dynamic;
    }

    @Override
    public String toString() {
        return "Key[" + name + " @" + offset + " size " + size + (dynamic ? " dynamic" : "") + "]";
    }
}
