package io.taskscratch.sched.trace;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import net.openhft.chronicle.bytes.Bytes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads traces written by {@link TraceRecorder}. */
public final class TraceReader {
    private TraceReader() {
    }

    /**
     * Reads a trace file.
     *
     * @param file the file
     * @return the trace
     * @throws IOException      on read failure
     * @throws ScratchException EINVAL when the file is not a trace or is truncated
     */
    public static Trace read(Path file) throws IOException {
        return read(Files.readAllBytes(file));
    }

    /**
     * Decodes trace bytes.
     *
     * @param data the bytes
     * @return the trace
     * @throws ScratchException EINVAL when the bytes are not a trace or are truncated
     */
    public static Trace read(byte[] data) {
        Bytes<?> in = TraceFormat.wrap(data);
        try {
            if (in.readRemaining() < 5 || in.readInt() != TraceFormat.MAGIC) {
                throw new ScratchException(Errno.EINVAL, "trace: bad magic, not a taskscratch trace");
            }
            int version = in.readUnsignedByte();
            if (version != TraceFormat.VERSION) {
                throw new ScratchException(Errno.EINVAL, "trace version " + version + ": only " + TraceFormat.VERSION + " is known");
            }
            int cpus = (int) in.readStopBit();
            String configuration = in.readUtf8();
            List<TraceEvent> events = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            long time = 0;
            while (in.readRemaining() > 0) {
                int kind = in.readUnsignedByte();
                time += in.readStopBit();
                events.add(switch (kind) {
                    case TraceFormat.FORK -> {
                        long parent = in.readStopBit() - 1;
                        long child = in.readStopBit();
                        boolean daemon = in.readUnsignedByte() != 0;
                        yield new TraceEvent.Fork(time, parent, child, in.readUtf8(), daemon);
                    }
                    case TraceFormat.EXIT -> new TraceEvent.Exit(time, in.readStopBit());
                    case TraceFormat.SWITCH -> {
                        int cpu = (int) in.readStopBit();
                        long prev = in.readStopBit() - 1;
                        long next = in.readStopBit() - 1;
                        int flags = in.readUnsignedByte();
                        int state = flags >>> 1;
                        yield new TraceEvent.Switch(time, cpu, prev, next, (flags & 1) != 0,
                                state == 0 ? null : TraceFormat.STATES[state - 1]);
                    }
                    case TraceFormat.WAKEUP -> new TraceEvent.Wakeup(time, in.readStopBit(), (int) in.readStopBit(), in.readStopBit() - 1);
                    case TraceFormat.MIGRATE -> new TraceEvent.Migrate(time, in.readStopBit(), (int) in.readStopBit(), (int) in.readStopBit());
                    case TraceFormat.MARK -> {
                        long task = in.readStopBit();
                        long end = time - in.readStopBit();
                        long start = end - in.readStopBit();
                        int index = (int) in.readStopBit();
                        if (index == labels.size()) {
                            labels.add(in.readUtf8());
                        }
                        yield new TraceEvent.Mark(time, task, labels.get(index), start, end);
                    }
                    default -> throw new ScratchException(Errno.EINVAL, "trace: unknown record kind " + kind
                            + " at byte " + (in.readPosition() - 1));
                });
            }
            return new Trace(cpus, configuration, events);
        } catch (RuntimeException e) {
            if (e instanceof ScratchException) {
                throw e;
            }
            throw new ScratchException(Errno.EINVAL, "trace: truncated or corrupt (" + e + ")", e);
        }
    }
}
