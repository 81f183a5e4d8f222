package io.taskscratch.sched;

import java.util.Arrays;

/**
 * Indexed binary min-heap of {@link Event}s keyed by (virtual time, sequence number). The
 * sequence number is taken when an event is (re)scheduled, so events at the same virtual time
 * fire in the order they were scheduled: the order is a function of the model alone, which is
 * what makes a run reproducible bit for bit.
 */
final class EventQueue {
    private Event[] heap = new Event[64];
    private int size;
    private long nextSeq;

    /** Schedules {@code e} at {@code time}, moving it if it was already queued. */
    void schedule(Event e, long time) {
        if (e.index >= 0) {
            removeAt(e.index);
        }
        e.time = time;
        e.seq = nextSeq++;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = e;
        e.index = size;
        size++;
        siftUp(e.index);
    }

    /** Removes {@code e} if queued. */
    void cancel(Event e) {
        if (e.index >= 0) {
            removeAt(e.index);
        }
    }

    Event peek() {
        return size == 0 ? null : heap[0];
    }

    Event poll() {
        if (size == 0) {
            return null;
        }
        Event top = heap[0];
        removeAt(0);
        return top;
    }

    int size() {
        return size;
    }

    private void removeAt(int i) {
        Event removed = heap[i];
        size--;
        if (i != size) {
            Event last = heap[size];
            heap[i] = last;
            last.index = i;
            heap[size] = null;
            siftDown(i);
            if (heap[i] == last) {
                siftUp(i);
            }
        } else {
            heap[size] = null;
        }
        removed.index = -1;
    }

    private static boolean less(Event a, Event b) {
        return a.time < b.time || (a.time == b.time && a.seq < b.seq);
    }

    private void siftUp(int i) {
        Event e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Event p = heap[parent];
            if (!less(e, p)) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = e;
        e.index = i;
    }

    private void siftDown(int i) {
        Event e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && less(heap[right], heap[child])) {
                child = right;
            }
            if (!less(heap[child], e)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].index = i;
            i = child;
        }
        heap[i] = e;
        e.index = i;
    }
}
