package io.taskscratch.demo;

import io.taskscratch.sched.calibration.Json;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a run was: version, backend, every option's value, the seeds, and anything else that
 * says how the numbers were made. {@link Report#json} writes it as the {@code "run"} object of
 * {@code results.json}; values are strings, numbers, booleans, collections or nested metadata.
 */
final class RunMetadata {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    /**
     * Adds or replaces one field.
     *
     * @param name  JSON key
     * @param value the value (a {@link Number}, {@link Boolean}, {@link Collection}, {@link RunMetadata}, or anything else as its text)
     * @return this
     */
    RunMetadata put(String name, Object value) {
        fields.put(name, value);
        return this;
    }

    /** The fields in insertion order (read-only view). */
    Map<String, Object> fields() {
        return java.util.Collections.unmodifiableMap(fields);
    }

    /**
     * This metadata as a JSON object.
     *
     * @param indent spaces before each nested line
     * @return the text, starting with {@code {} and ending with {@code }}
     */
    String json(String indent) {
        StringBuilder sb = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            sb.append(indent).append("  ").append(Json.quote(e.getKey())).append(": ").append(value(e.getValue(), indent + "  "));
            sb.append(++i < fields.size() ? ",\n" : "\n");
        }
        return sb.append(indent).append('}').toString();
    }

    private static String value(Object v, String indent) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Double d && !Double.isFinite(d)) {
            return "null";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof RunMetadata m) {
            return m.json(indent);
        }
        if (v instanceof Collection<?> c) {
            StringBuilder sb = new StringBuilder("[");
            int i = 0;
            for (Object o : c) {
                sb.append(i++ > 0 ? ", " : "").append(value(o, indent));
            }
            return sb.append(']').toString();
        }
        return Json.quote(v.toString());
    }
}
