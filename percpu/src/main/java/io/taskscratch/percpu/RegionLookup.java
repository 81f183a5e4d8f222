package io.taskscratch.percpu;

import io.taskscratch.region.ScratchRegion;

/**
 * Finds the calling thread's scratch region: how percpu reaches regions that other modules write
 * without depending on them. One line in user code, e.g. for the scheduler model
 * {@code () -> SchedScratch.regionOf(platform.currentTask())}, or for the kernel backend
 * {@code () -> { var r = backend.registration(Thread.currentThread()); return r == null ? null : r.region(); }}.
 */
@FunctionalInterface
public interface RegionLookup {
    /**
     * The calling thread's region; called by that thread, at most once per view until it finds
     * one and again after the region was freed.
     *
     * @return the region, or null if the thread has none (yet)
     */
    ScratchRegion regionOfCurrentThread();
}
