package io.taskscratch.sched.trace;

import io.taskscratch.sched.TaskState;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The binary trace format, encoded with Chronicle Bytes.
 *
 * <pre>
 * header : int32 MAGIC ("TSTR"), u8 VERSION, stop-bit cpus, utf8 configuration (the run's costs,
 *          {@code CostProfile.summary()})
 * record : u8 kind, stop-bit (time - previous record's time), then per kind:
 *   FORK    parent+1, child, u8 daemon, utf8 name
 *   EXIT    task
 *   SWITCH  cpu, prev+1, next+1, u8 (preempt | prevState ordinal+1 &lt;&lt; 1)
 *   WAKEUP  task, cpu, waker+1
 *   MIGRATE task, from, to
 *   MARK    task, time-end, end-start, label index [, utf8 label when the index is new]
 * </pre>
 * All integers after the header are stop-bit (7 bits per byte) encoded; ids are shifted by one
 * where "none" (-1) is allowed. Records are 4 to 8 bytes typically.
 */
final class TraceFormat {
    static final int MAGIC = 0x52545354; // "TSTR" little-endian
    static final int VERSION = 2;
    static final int FORK = 1;
    static final int EXIT = 2;
    static final int SWITCH = 3;
    static final int WAKEUP = 4;
    static final int MIGRATE = 5;
    static final int MARK = 6;
    static final TaskState[] STATES = TaskState.values();

    static {
        // chronicle-analytics is excluded from the build; this also keeps it off should it appear on a class path.
        if (System.getProperty("chronicle.analytics.disable") == null) {
            System.setProperty("chronicle.analytics.disable", "true");
        }
    }

    private TraceFormat() {
    }

    /**
     * A growable on-heap buffer. Chronicle's single-thread check is off: the model runs on one
     * thread at a time but not always the same one (baton passing), with a happens-before edge
     * at every hand-off, which that check cannot see.
     */
    static Bytes<?> newBuffer() {
        Bytes<?> b = Bytes.allocateElasticOnHeap(1 << 16);
        b.singleThreadedCheckDisabled(true);
        return b;
    }

    static Bytes<?> wrap(byte[] data) {
        return Bytes.wrapForRead(data);
    }
}
