package io.taskscratch.demo;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A duration distribution for critical sections and think time: a fixed value ({@code 0},
 * {@code 50ns}, {@code 1us}, {@code 10us}, {@code 100us}, {@code 2ms} ...), or {@code bimodal}:
 * 95 % 1 µs, 5 % 100 µs (docs/design.md §12). {@link #sample} draws from a task's seeded stream.
 *
 * @param label   the text it was parsed from, for tables
 * @param shortNs the value (fixed) or the common short value (bimodal)
 * @param longNs  the rare long value (bimodal), else equal to {@code shortNs}
 * @param longPct percentage of long values, 0 for fixed
 */
public record Distribution(String label, long shortNs, long longNs, int longPct) {
    /** Fixed or bimodal, as {@link #parse} reads them. */
    public Distribution {
        if (shortNs < 0 || longNs < 0 || longPct < 0 || longPct > 100) {
            throw new IllegalArgumentException("distribution " + label + ": durations must be >= 0, long share in [0, 100]");
        }
    }

    /**
     * Parses {@code 0}, {@code <n>ns}, {@code <n>us}, {@code <n>ms} or {@code bimodal}.
     *
     * @param text the text
     * @return the distribution
     * @throws IllegalArgumentException naming the text when it cannot be read
     */
    public static Distribution parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("µs", "us");
        if (t.equals("bimodal")) {
            return new Distribution("bimodal", 1_000, 100_000, 5);
        }
        long ns;
        try {
            if (t.equals("0")) {
                ns = 0;
            } else if (t.endsWith("ns")) {
                ns = Long.parseLong(t.substring(0, t.length() - 2));
            } else if (t.endsWith("us")) {
                ns = Long.parseLong(t.substring(0, t.length() - 2)) * 1_000;
            } else if (t.endsWith("ms")) {
                ns = Long.parseLong(t.substring(0, t.length() - 2)) * 1_000_000;
            } else {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("duration '" + text + "': use 0, <n>ns, <n>us, <n>ms or bimodal");
        }
        return new Distribution(t, ns, ns, 0);
    }

    /** The mean in nanoseconds. */
    public double meanNs() {
        return shortNs + (longNs - shortNs) * longPct / 100.0;
    }

    /**
     * A critical-section length: the fixed value, or short/long by the bimodal share.
     *
     * @param random the task's stream
     * @return nanoseconds
     */
    public long sample(SplittableRandom random) {
        if (longPct == 0) {
            return shortNs;
        }
        return random.nextInt(100) < longPct ? longNs : shortNs;
    }

    /**
     * A think time: uniform on [0, 2 × value] around the sampled value (so tasks drift apart).
     *
     * @param random the task's stream
     * @return nanoseconds
     */
    public long sampleSpread(SplittableRandom random) {
        long v = sample(random);
        return v == 0 ? 0 : random.nextLong(2 * v + 1);
    }

    @Override
    public String toString() {
        return label;
    }
}
