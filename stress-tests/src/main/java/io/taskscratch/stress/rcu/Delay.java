package io.taskscratch.stress.rcu;

/**
 * A few microseconds of busy work: widens race windows (a reader's section, a gap between two
 * steps) so that jcstress sees the broken twins fail within a short run. Real tests use it in
 * the same places, so both variants race alike. Public: the hook, region and mutex tests use it too.
 */
public final class Delay {
    private static final int PAUSES = 64;

    private Delay() {
    }

    /** Spins for roughly 1–5 µs. */
    public static void spin() {
        for (int i = 0; i < PAUSES; i++) {
            Thread.onSpinWait();
        }
    }
}
