package io.taskscratch.stress.mutex;

import io.taskscratch.stress.rcu.Delay;
import org.openjdk.jcstress.infra.results.IIL_Result;

/**
 * locktorture's in-critical-section check: a plain read-modify-write of {@code count} with busy
 * work in between, and a count of threads inside. Only mutual exclusion makes two increments
 * give 2 and keeps {@code inside} at most 1.
 */
final class Counter {
    private int count;
    private int inside;
    private int overlap;

    /** The critical section. */
    void increment() {
        if (++inside > 1) {
            overlap = 1;
        }
        int v = count;
        Delay.spin(); // a section long enough for a second thread to get in if the lock lets it
        count = v + 1;
        inside--;
    }

    /**
     * r1 = final count, r2 = 1 if two threads were seen inside at once, r3 = which lock, so a
     * forbidden outcome names the culprit.
     */
    void result(IIL_Result r, String lock) {
        r.r1 = count;
        r.r2 = overlap;
        r.r3 = lock;
    }
}
