package io.taskscratch.sched;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the model charges for the kernel and JVM events that decide spin versus park, in virtual
 * nanoseconds (picoseconds where a field name ends in {@code Ps}). {@link io.taskscratch.sched.calibration.CalibrationProfile} measures them on a
 * machine ({@code calibrate}); the defaults of {@link SimConfig} come from the profile checked
 * in with the model. The Linux/JVM source of each cost is in {@code docs/scheduler-sim.md}.
 *
 * @param contextSwitchNs  a switch to another task: the incoming task's code runs this much later
 *                         (charged to it as run time)
 * @param wakeupIdleNs     {@code unpark} of a parked task to an idle CPU: the task becomes runnable
 *                         this much after the {@code unpark} call began (IPI, idle exit)
 * @param wakeupBusyNs     the same when the chosen CPU is busy (the waker's own or another's)
 * @param unparkIdleNs     what {@code unpark} of a parked task costs the waker (run time) when the
 *                         wakee goes to an idle CPU
 * @param unparkBusyNs     the same when the wakee goes to a busy CPU
 * @param parkNs           a {@code park} that blocks runs this long before the task leaves the CPU
 * @param yieldNs          {@code yieldCpu} with nothing else runnable on the CPU
 * @param clockReadNs      one {@code nanoTime()} read by task code
 * @param spinPauseNs      one {@code spinPause()} (PAUSE instruction)
 * @param spinLoadPs       one poll of a shared word by a spin loop (load, compare, branch), in
 *                         picoseconds: a poll costs about a nanosecond, below the resolution of ns
 * @param timerSlackNs     a timed park's timer expires this much after the requested time (Linux
 *                         hrtimer slack of a normal thread, {@code /proc/self/timerslack_ns})
 * @param lineTransferNs   an access to a shared cache line ({@code Platform.lineAccess}) that must first
 *                         fetch it from another CPU's cache: a read of a line another CPU wrote last,
 *                         a write of a line another CPU holds
 */
public record CostProfile(long contextSwitchNs, long wakeupIdleNs, long wakeupBusyNs, long unparkIdleNs, long unparkBusyNs,
                          long parkNs, long yieldNs, long clockReadNs, long spinPauseNs, long spinLoadPs,
                          long timerSlackNs, long lineTransferNs) {
    /** Names of the costs, in component order (also the keys of a profile file's {@code costs}). */
    public static final String[] FIELDS = {"contextSwitchNs", "wakeupIdleNs", "wakeupBusyNs", "unparkIdleNs", "unparkBusyNs",
        "parkNs", "yieldNs", "clockReadNs", "spinPauseNs", "spinLoadPs", "timerSlackNs", "lineTransferNs"};

    /** Every cost zero: an idealised machine (unit tests that count exact times use it as a base). */
    public static final CostProfile ZERO = new CostProfile(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Rejects negative costs with {@code EINVAL} naming the field. */
    public CostProfile {
        long[] v = {contextSwitchNs, wakeupIdleNs, wakeupBusyNs, unparkIdleNs, unparkBusyNs, parkNs, yieldNs, clockReadNs,
            spinPauseNs, spinLoadPs, timerSlackNs, lineTransferNs};
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0) {
                throw new ScratchException(Errno.EINVAL, FIELDS[i] + " " + v[i] + ": must be >= 0");
            }
        }
    }

    /**
     * A profile from named values.
     *
     * @param values one value per name of {@link #FIELDS}, nothing else
     * @return the profile
     * @throws ScratchException EINVAL naming a missing, unknown or negative field
     */
    public static CostProfile of(Map<String, Long> values) {
        for (String k : values.keySet()) {
            if (index(k) < 0) {
                throw new ScratchException(Errno.EINVAL, "cost '" + k + "': unknown, expected one of " + String.join(", ", FIELDS));
            }
        }
        long[] v = new long[FIELDS.length];
        for (int i = 0; i < FIELDS.length; i++) {
            Long x = values.get(FIELDS[i]);
            if (x == null) {
                throw new ScratchException(Errno.EINVAL, "cost '" + FIELDS[i] + "': missing");
            }
            v[i] = x;
        }
        return new CostProfile(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
    }

    private static int index(String name) {
        for (int i = 0; i < FIELDS.length; i++) {
            if (FIELDS[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The costs by name, in {@link #FIELDS} order. */
    public Map<String, Long> asMap() {
        long[] v = {contextSwitchNs, wakeupIdleNs, wakeupBusyNs, unparkIdleNs, unparkBusyNs, parkNs, yieldNs, clockReadNs,
            spinPauseNs, spinLoadPs, timerSlackNs, lineTransferNs};
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < FIELDS.length; i++) {
            m.put(FIELDS[i], v[i]);
        }
        return m;
    }

    /**
     * This profile with one cost changed.
     *
     * @param field a name of {@link #FIELDS}
     * @param value the new value, &ge; 0
     * @return the copy
     * @throws ScratchException EINVAL for an unknown field or a negative value
     */
    public CostProfile with(String field, long value) {
        Map<String, Long> m = asMap();
        if (!m.containsKey(field)) {
            throw new ScratchException(Errno.EINVAL, "cost '" + field + "': unknown, expected one of " + String.join(", ", FIELDS));
        }
        m.put(field, value);
        return of(m);
    }

    /** One line, {@code name=value} pairs separated by spaces (trace headers, CSV cells, reports). */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        asMap().forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }
}
