package io.taskscratch.sched.calibration;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.sched.CostProfile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A calibration profile: the model's {@link CostProfile} as measured on one machine by
 * {@link Calibrate}, with what was measured (p50/p90 of each probe) and where (host facts,
 * load average). Stored as JSON:
 *
 * <pre>{@code
 * { "format": "taskscratch-calibration-1",
 *   "host": { "cpus": "2", "loadavg": "0.05 0.07 0.02", ... },
 *   "costs": { "contextSwitchNs": 2100, "wakeupIdleNs": 30000, ... },       // every CostProfile field
 *   "measured": { "pingpong-cross-cpu": { "p50Ns": 33000, "p90Ns": 41000, "samples": 4000 }, ... } }
 * }</pre>
 *
 * Loading is strict: a missing, unknown or negative cost, a non-integer cost, an unknown
 * top-level key or malformed JSON is refused with {@code EINVAL} naming the field, before
 * anything runs. The profile checked in with the model ({@link #defaultProfile()}) gives
 * {@link io.taskscratch.sched.SimConfig}'s defaults.
 *
 * @param host     facts about the machine and the run (free text values)
 * @param costs    the model's costs
 * @param measured each probe's result
 */
public record CalibrationProfile(Map<String, String> host, CostProfile costs, Map<String, Probe> measured) {
    /** The {@code format} value of a profile file. */
    public static final String FORMAT = "taskscratch-calibration-1";
    /** Class-path resource of the checked-in profile. */
    public static final String DEFAULT_RESOURCE = "/io/taskscratch/sched/calibration/default-profile.json";

    private static final CalibrationProfile DEFAULT = loadDefault();

    /**
     * One probe's measurement.
     *
     * @param p50Ns   median, ns
     * @param p90Ns   90th percentile, ns
     * @param samples how many samples
     */
    public record Probe(double p50Ns, double p90Ns, long samples) {
    }

    /** Copies the maps (keeping order). */
    public CalibrationProfile {
        host = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(host));
        measured = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(measured));
    }

    /** The profile checked in with the model (this project's test host); SimConfig's defaults. */
    public static CalibrationProfile defaultProfile() {
        return DEFAULT;
    }

    private static CalibrationProfile loadDefault() {
        try (InputStream in = CalibrationProfile.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + DEFAULT_RESOURCE + " missing from the class path");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a profile file.
     *
     * @param file the JSON file
     * @return the profile
     * @throws IOException      if the file cannot be read
     * @throws ScratchException EINVAL naming the bad field
     */
    public static CalibrationProfile load(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    /**
     * Parses a profile.
     *
     * @param json   the document
     * @param source where it came from, for messages
     * @return the profile
     * @throws ScratchException EINVAL naming the bad field
     */
    public static CalibrationProfile parse(String json, String source) {
        try {
            return parse(Json.parse(json));
        } catch (ScratchException e) {
            throw new ScratchException(Errno.EINVAL, "calibration profile " + source + ": " + e.getMessage(), e);
        }
    }

    private static CalibrationProfile parse(Object doc) {
        Map<String, Object> top = object(doc, "profile");
        for (String k : top.keySet()) {
            if (!k.equals("format") && !k.equals("host") && !k.equals("costs") && !k.equals("measured")) {
                throw bad(k, "unknown field (expected format, host, costs, measured)");
            }
        }
        Object format = top.get("format");
        if (!FORMAT.equals(format)) {
            throw bad("format", format == null ? "missing" : "is " + format + ", expected " + FORMAT);
        }
        Map<String, String> host = new LinkedHashMap<>();
        if (top.containsKey("host")) {
            object(top.get("host"), "host").forEach((k, v) -> {
                if (v instanceof Map || v instanceof java.util.List) {
                    throw bad("host." + k, "must be a string or number");
                }
                host.put(k, v instanceof BigDecimal b ? b.toPlainString() : String.valueOf(v));
            });
        }
        if (!top.containsKey("costs")) {
            throw bad("costs", "missing");
        }
        Map<String, Long> costs = new LinkedHashMap<>();
        Map<String, Object> c = object(top.get("costs"), "costs");
        for (Map.Entry<String, Object> e : c.entrySet()) {
            costs.put(e.getKey(), nonNegativeLong("costs." + e.getKey(), e.getValue()));
        }
        CostProfile profile;
        try {
            profile = CostProfile.of(costs);
        } catch (ScratchException e) {
            throw bad("costs", e.getMessage());
        }
        Map<String, Probe> measured = new LinkedHashMap<>();
        if (top.containsKey("measured")) {
            object(top.get("measured"), "measured").forEach((name, v) -> {
                Map<String, Object> p = object(v, "measured." + name);
                for (String k : p.keySet()) {
                    if (!k.equals("p50Ns") && !k.equals("p90Ns") && !k.equals("samples")) {
                        throw bad("measured." + name + "." + k, "unknown field (expected p50Ns, p90Ns, samples)");
                    }
                }
                measured.put(name, new Probe(nonNegative("measured." + name + ".p50Ns", p.get("p50Ns")),
                        nonNegative("measured." + name + ".p90Ns", p.get("p90Ns")),
                        nonNegativeLong("measured." + name + ".samples", p.get("samples"))));
            });
        }
        return new CalibrationProfile(host, profile, measured);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object v, String field) {
        if (!(v instanceof Map)) {
            throw bad(field, "must be a JSON object");
        }
        return (Map<String, Object>) v;
    }

    private static double nonNegative(String field, Object v) {
        if (v == null) {
            throw bad(field, "missing");
        }
        if (!(v instanceof BigDecimal b)) {
            throw bad(field, "must be a number");
        }
        if (b.signum() < 0) {
            throw bad(field, b.toPlainString() + ": must be >= 0");
        }
        return b.doubleValue();
    }

    private static long nonNegativeLong(String field, Object v) {
        double d = nonNegative(field, v);
        BigDecimal b = (BigDecimal) v;
        try {
            return b.longValueExact();
        } catch (ArithmeticException e) {
            throw bad(field, b.toPlainString() + ": must be an integer (ns) not above " + Long.MAX_VALUE + " (" + d + ")");
        }
    }

    private static ScratchException bad(String field, String rule) {
        return new ScratchException(Errno.EINVAL, field + ": " + rule);
    }

    /** The profile as JSON, in the format {@link #parse} reads. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\n  \"format\": ").append(Json.quote(FORMAT)).append(",\n  \"host\": {");
        int i = 0;
        for (Map.Entry<String, String> e : host.entrySet()) {
            sb.append(i++ == 0 ? "\n" : ",\n").append("    ").append(Json.quote(e.getKey())).append(": ").append(Json.quote(e.getValue()));
        }
        sb.append(i == 0 ? "},\n" : "\n  },\n").append("  \"costs\": {");
        i = 0;
        for (Map.Entry<String, Long> e : costs.asMap().entrySet()) {
            sb.append(i++ == 0 ? "\n" : ",\n").append("    ").append(Json.quote(e.getKey())).append(": ").append(e.getValue());
        }
        sb.append("\n  },\n  \"measured\": {");
        i = 0;
        for (Map.Entry<String, Probe> e : measured.entrySet()) {
            Probe p = e.getValue();
            sb.append(i++ == 0 ? "\n" : ",\n").append("    ").append(Json.quote(e.getKey()))
                    .append(String.format(Locale.ROOT, ": {\"p50Ns\": %.1f, \"p90Ns\": %.1f, \"samples\": %d}", p.p50Ns(), p.p90Ns(), p.samples()));
        }
        return sb.append(i == 0 ? "}\n}\n" : "\n  }\n}\n").toString();
    }
}
