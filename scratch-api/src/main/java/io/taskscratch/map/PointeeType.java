package io.taskscratch.map;

import io.taskscratch.region.RegionLayout;
import java.util.Objects;

/**
 * The struct a uptr field points to, as BTF describes it.
 *
 * @param name        the struct name, for messages
 * @param size        its size in bytes (must be 1..page size)
 * @param kernelOwned whether it is a kernel type (refused: a uptr must point to a user type)
 */
public record PointeeType(String name, int size, boolean kernelOwned) {
    /** Validates the name. */
    public PointeeType {
        Objects.requireNonNull(name, "name");
    }

    /** A user struct of {@code size} bytes. */
    public static PointeeType user(String name, int size) {
        return new PointeeType(name, size, false);
    }

    /** The scratch region of {@code layout}: {@code struct sched_scratch} of the layout's size. */
    public static PointeeType of(RegionLayout layout) {
        return user("sched_scratch", layout.regionSize());
    }
}
