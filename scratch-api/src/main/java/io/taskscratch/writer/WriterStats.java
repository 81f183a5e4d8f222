package io.taskscratch.writer;

/**
 * Counters of one writer: every attempt either landed or failed with one of the codes.
 *
 * @param attempts writes attempted
 * @param landed   writes that reached the region
 * @param efault   writes refused because the target page was not resident
 * @param eperm    writes refused because the target was not the current task's, or the context forbade it
 */
public record WriterStats(long attempts, long landed, long efault, long eperm) {
    /** Writes that failed. */
    public long failed() {
        return efault + eperm;
    }
}
