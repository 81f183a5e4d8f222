package io.taskscratch.demo.locks;

import io.taskscratch.platform.Platform;
import io.taskscratch.platform.PlatformTask;

/**
 * Test-and-test-and-set spin lock (Rudolph and Segall, 1984): spin reading the word, CAS when
 * it looks free. Never parks, never yields: on an oversubscribed machine a waiter burns its
 * whole time slice while a preempted owner cannot run, which is the failure the adaptive mutex
 * avoids.
 */
public final class TtasLock extends BaselineLock {
    /** @param platform where to spin */
    public TtasLock(Platform platform) {
        super(platform, "ttas-spin");
    }

    @Override
    public void lock() {
        PlatformTask me = platform.currentTask();
        while (!casAcquire(me)) {
            do {
                spins.increment();
                platform.spinPause();
            } while (isHeld());
        }
    }

    @Override
    public void unlock() {
        checkOwner();
        releaseWord();
    }
}
