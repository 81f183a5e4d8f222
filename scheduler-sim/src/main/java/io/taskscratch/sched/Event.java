package io.taskscratch.sched;

/**
 * One pending occurrence in virtual time. Events are owned objects (each task owns its resume
 * and timer events, each CPU its slice event), so scheduling never allocates and cancelling is
 * an O(log n) removal from the {@link EventQueue} instead of a stale entry left behind.
 */
final class Event {
    static final int RESUME = 0;
    static final int SLICE = 1;
    static final int TIMER = 2;
    static final int BALANCE = 3;
    static final int START = 4;
    static final int WAKE = 5;

    final int kind;
    final SimTask task;
    final Cpu cpu;
    long time;
    long seq;
    int index = -1;

    Event(int kind, SimTask task, Cpu cpu) {
        this.kind = kind;
        this.task = task;
        this.cpu = cpu;
    }

    boolean queued() {
        return index >= 0;
    }
}
