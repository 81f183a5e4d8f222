package io.taskscratch.sched.trace;

import io.taskscratch.sched.SchedEventListener;
import io.taskscratch.sched.SimTask;
import io.taskscratch.sched.Simulation;
import net.openhft.chronicle.bytes.Bytes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Records every scheduler event of a run into a compact binary trace ({@link TraceFormat}),
 * in memory; {@link #writeTo} saves it and {@link TraceReader} reads it back. The bytes depend
 * only on the model, so their {@link #sha256()} is the run's fingerprint for determinism checks.
 */
public final class TraceRecorder implements SchedEventListener {
    private final Bytes<?> out = TraceFormat.newBuffer();
    /** Label lookup only; indices are handed out in first-use order, so the encoding is deterministic. */
    private final Map<String, Integer> labels = new HashMap<>();
    private final List<String> labelOrder = new ArrayList<>();
    private long lastTime;

    /**
     * A recorder for a run on {@code cpus} CPUs (register it with {@link Simulation#addListener}).
     *
     * @param cpus          number of CPUs
     * @param configuration what the header records about the run, e.g. its costs
     */
    public TraceRecorder(int cpus, String configuration) {
        out.writeInt(TraceFormat.MAGIC);
        out.writeUnsignedByte(TraceFormat.VERSION);
        out.writeStopBit(cpus);
        out.writeUtf8(configuration);
    }

    /**
     * Creates a recorder and registers it with {@code sim}; the header records the run's costs.
     *
     * @param sim a simulation that has not run yet
     * @return the recorder
     */
    public static TraceRecorder attach(Simulation sim) {
        TraceRecorder r = new TraceRecorder(sim.cpuCount(), sim.config().costs().summary());
        sim.addListener(r);
        return r;
    }

    private void head(int kind, long now) {
        out.writeUnsignedByte(kind);
        out.writeStopBit(now - lastTime);
        lastTime = now;
    }

    private static long id(SimTask t) {
        return t == null ? 0 : t.id() + 1;
    }

    @Override
    public void onSwitch(SimTask prev, SimTask next, int cpu, boolean preempt, long now) {
        head(TraceFormat.SWITCH, now);
        out.writeStopBit(cpu);
        out.writeStopBit(id(prev));
        out.writeStopBit(id(next));
        int prevState = prev == null ? 0 : prev.state().ordinal() + 1;
        out.writeUnsignedByte((preempt ? 1 : 0) | prevState << 1);
    }

    @Override
    public void onWakeup(SimTask task, int cpu, SimTask waker, long now) {
        head(TraceFormat.WAKEUP, now);
        out.writeStopBit(task.id());
        out.writeStopBit(cpu);
        out.writeStopBit(id(waker));
    }

    @Override
    public void onMigrate(SimTask task, int fromCpu, int toCpu, long now) {
        head(TraceFormat.MIGRATE, now);
        out.writeStopBit(task.id());
        out.writeStopBit(fromCpu);
        out.writeStopBit(toCpu);
    }

    @Override
    public void onFork(SimTask parent, SimTask child, long now) {
        head(TraceFormat.FORK, now);
        out.writeStopBit(id(parent));
        out.writeStopBit(child.id());
        out.writeUnsignedByte(child.daemon() ? 1 : 0);
        out.writeUtf8(child.name());
    }

    @Override
    public void onExit(SimTask task, long now) {
        head(TraceFormat.EXIT, now);
        out.writeStopBit(task.id());
    }

    @Override
    public void onMark(SimTask task, String label, long startNs, long endNs) {
        long time = Math.max(lastTime, endNs);
        head(TraceFormat.MARK, time);
        out.writeStopBit(task.id());
        out.writeStopBit(time - endNs);
        out.writeStopBit(endNs - startNs);
        Integer index = labels.get(label);
        if (index == null) {
            index = labelOrder.size();
            labels.put(label, index);
            labelOrder.add(label);
            out.writeStopBit(index);
            out.writeUtf8(label);
        } else {
            out.writeStopBit(index);
        }
    }

    /** Bytes recorded so far. */
    public long size() {
        return out.writePosition();
    }

    /** A copy of the trace bytes. */
    public byte[] toByteArray() {
        return out.toByteArray();
    }

    /**
     * Saves the trace.
     *
     * @param file the file to (over)write
     * @throws IOException on write failure
     */
    public void writeTo(Path file) throws IOException {
        Files.write(file, toByteArray());
    }

    /** SHA-256 of the trace bytes, in hex: equal for equal runs. */
    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }

    /** Decodes what was recorded so far. */
    public Trace trace() {
        return TraceReader.read(toByteArray());
    }
}
