package io.taskscratch.writer;

import io.taskscratch.Errno;
import io.taskscratch.region.ScratchRegion;

/**
 * The uptr writer: the region is pinned, so every write lands (plain stores inside the
 * seqcount). Any context and any target task are allowed, as for a BPF program dereferencing
 * {@code v->udata}.
 */
public final class PinnedWriter extends AbstractRegionWriter {
    /** A writer with fresh counters. */
    public PinnedWriter() {
    }

    @Override
    Errno refusal(WriteContext ctx, ScratchRegion target) {
        return null;
    }
}
