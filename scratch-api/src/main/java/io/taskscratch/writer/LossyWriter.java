package io.taskscratch.writer;

import io.taskscratch.Errno;
import io.taskscratch.region.ScratchRegion;
import java.util.Objects;

/**
 * A model of {@code bpf_probe_write_user}: the write runs with page faults disabled, so it fails
 * with EFAULT when the target page is not resident (per the {@link ResidencyModel}); the helper
 * writes only {@code current}'s memory, so a target owned by another task (or by none) fails with
 * EPERM, as does an interrupt or exiting-task context. Failures are counted in {@link #stats()},
 * never thrown: the region just keeps its stale values.
 */
public final class LossyWriter extends AbstractRegionWriter {
    private final ResidencyModel residency;

    /** A lossy writer consulting {@code residency} for page presence. */
    public LossyWriter(ResidencyModel residency) {
        this.residency = Objects.requireNonNull(residency, "residency");
    }

    @Override
    Errno refusal(WriteContext ctx, ScratchRegion target) {
        if (ctx.kind() != WriteContext.Kind.TASK || !ctx.current().sameTask(target.owner())) {
            return Errno.EPERM;
        }
        return residency.isResident(target) ? null : Errno.EFAULT;
    }
}
