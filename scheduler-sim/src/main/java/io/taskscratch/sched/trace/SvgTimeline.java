package io.taskscratch.sched.trace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Draws a {@link Timeline} as SVG: one lane per CPU with a coloured bar per run (colour by
 * task, name inside when it fits), then one lane per task that has labelled intervals (hold,
 * spin, park...), a time axis and a legend. Output depends only on the timeline.
 */
public final class SvgTimeline {
    private static final int LEFT = 110;
    private static final int LANE = 22;
    private static final int GAP = 4;
    private static final int TOP = 24;

    private SvgTimeline() {
    }

    /**
     * Renders the whole period.
     *
     * @param tl      the timeline
     * @param widthPx drawing width of the time axis
     * @return SVG document text
     */
    public static String render(Timeline tl, int widthPx) {
        return render(tl, tl.startNs(), tl.endNs(), widthPx);
    }

    /**
     * Renders the window {@code [fromNs, toNs)}.
     *
     * @param tl      the timeline
     * @param fromNs  window start
     * @param toNs    window end, &gt; fromNs
     * @param widthPx drawing width of the time axis
     * @return SVG document text
     */
    public static String render(Timeline tl, long fromNs, long toNs, int widthPx) {
        if (toNs <= fromNs || widthPx <= 0) {
            throw new IllegalArgumentException("window [" + fromNs + ", " + toNs + ") or width " + widthPx + ": empty");
        }
        TreeSet<Long> markedTasks = new TreeSet<>();
        TreeSet<String> labels = new TreeSet<>();
        for (Timeline.Interval i : tl.intervals()) {
            markedTasks.add(i.task());
            labels.add(i.label());
        }
        int lanes = tl.cpus() + markedTasks.size();
        int legendY = TOP + lanes * (LANE + GAP) + 30;
        int height = legendY + 20 * (1 + (tl.names().size() + labels.size()) / 6) + 10;
        double scale = (double) widthPx / (toNs - fromNs);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"monospace\" font-size=\"11\">%n",
                LEFT + widthPx + 20, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (int c = 0; c < tl.cpus(); c++) {
            int y = TOP + c * (LANE + GAP);
            sb.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">cpu %d</text>%n", y + 15, c));
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f4f4f4\"/>%n", LEFT, y, widthPx, LANE));
            for (Timeline.Run r : visible(tl.runs(c), fromNs, toNs)) {
                double x0 = LEFT + (Math.max(r.startNs(), fromNs) - fromNs) * scale;
                double w = (Math.min(r.endNs(), toNs) - Math.max(r.startNs(), fromNs)) * scale;
                String name = tl.name(r.task());
                sb.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s %d..%d ns</title></rect>%n",
                        x0, y, Math.max(w, 0.3), LANE, color(r.task()), escape(name), r.startNs(), r.endNs()));
                if (w > 7 * name.length() + 4) {
                    sb.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\" fill=\"white\">%s</text>%n", x0 + 2, y + 15, escape(name)));
                }
            }
        }
        int lane = tl.cpus();
        for (long task : markedTasks) {
            int y = TOP + lane * (LANE + GAP);
            sb.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">%s</text>%n", y + 15, escape(tl.name(task))));
            for (Timeline.Interval i : tl.intervals()) {
                if (i.task() != task || i.endNs() <= fromNs || i.startNs() >= toNs) {
                    continue;
                }
                double x0 = LEFT + (Math.max(i.startNs(), fromNs) - fromNs) * scale;
                double w = (Math.min(i.endNs(), toNs) - Math.max(i.startNs(), fromNs)) * scale;
                sb.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s %d..%d ns</title></rect>%n",
                        x0, y + 4, Math.max(w, 0.3), LANE - 8, labelColor(i.label()), escape(i.label()), i.startNs(), i.endNs()));
            }
            lane++;
        }
        int axisY = TOP + lanes * (LANE + GAP) + 4;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", LEFT, axisY, LEFT + widthPx, axisY));
        for (int k = 0; k <= 10; k++) {
            double x = LEFT + widthPx * k / 10.0;
            long t = fromNs + (toNs - fromNs) * k / 10;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, axisY, x, axisY + 4, x, axisY + 16, timeLabel(t)));
        }
        int i = 0;
        for (var e : tl.names().entrySet()) {
            legend(sb, i++, legendY, color(e.getKey()), e.getValue());
        }
        for (String label : labels) {
            legend(sb, i++, legendY, labelColor(label), label);
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /**
     * Renders the whole period to a file.
     *
     * @param tl      the timeline
     * @param widthPx drawing width
     * @param file    output file
     * @throws IOException on write failure
     */
    public static void write(Timeline tl, int widthPx, Path file) throws IOException {
        Files.writeString(file, render(tl, widthPx), StandardCharsets.UTF_8);
    }

    private static List<Timeline.Run> visible(List<Timeline.Run> runs, long fromNs, long toNs) {
        return runs.stream().filter(r -> r.endNs() > fromNs && r.startNs() < toNs).toList();
    }

    private static void legend(StringBuilder sb, int i, int y0, String fill, String text) {
        int x = 4 + (i % 6) * 160;
        int y = y0 + (i / 6) * 20;
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                x, y, fill, x + 16, y + 10, escape(text)));
    }

    /** A distinct, stable colour per task id (golden-angle hue steps). */
    static String color(long task) {
        double hue = (task * 137.508) % 360;
        return String.format(Locale.ROOT, "hsl(%.1f,65%%,45%%)", hue);
    }

    /** Fixed colours for the mutex's hold/spin/park; other labels get light tones unlike the task colours. */
    static String labelColor(String label) {
        return switch (label) {
            case "hold" -> "#2e7d32";
            case "spin" -> "#ef6c00";
            case "park" -> "#9e9e9e";
            default -> String.format(Locale.ROOT, "hsl(%.1f,90%%,70%%)", ((label.hashCode() & 0xffff) * 137.508) % 360);
        };
    }

    private static String timeLabel(long ns) {
        if (ns >= 1_000_000) {
            return String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f µs", ns / 1e3);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
