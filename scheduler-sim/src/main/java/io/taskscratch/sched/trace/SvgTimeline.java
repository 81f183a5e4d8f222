package io.taskscratch.sched.trace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Draws a {@link Timeline} as SVG: an optional title, one lane per CPU with a coloured bar per
 * run (colour by task, name inside when it fits), then one lane per task that has labelled
 * intervals (hold, spin, park...), a labelled time axis and a legend. Output depends only on the
 * timeline.
 */
public final class SvgTimeline {
    private static final int LEFT = 110;
    private static final int LANE = 22;
    private static final int GAP = 4;
    private static final int TOP = 24;
    private static final int TITLE_HEIGHT = 22;
    /** Room right of the axis so the last tick's label is not cut off. */
    private static final int RIGHT = 60;
    /**
     * Task colours: distinct hues, none close to the fixed hold (blue), spin (orange) and park
     * (grey) colours, so no task reads as a lock state.
     */
    private static final String[] TASK_COLORS = {"#c62828", "#2e7d32", "#6a1b9a", "#8d6e63", "#ad1457", "#00838f", "#9e9d24",
        "#f9a825", "#4e342e", "#00695c", "#e57373", "#81c784", "#ba68c8", "#4db6ac"};

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
        return render(tl, fromNs, toNs, widthPx, null);
    }

    /**
     * Renders the window {@code [fromNs, toNs)} under a title.
     *
     * @param tl      the timeline
     * @param fromNs  window start
     * @param toNs    window end, &gt; fromNs
     * @param widthPx drawing width of the time axis
     * @param title   heading line, or null for none
     * @return SVG document text
     */
    public static String render(Timeline tl, long fromNs, long toNs, int widthPx, String title) {
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
        int top = TOP + (title == null ? 0 : TITLE_HEIGHT);
        int legendY = top + lanes * (LANE + GAP) + 48;
        int height = legendY + 20 * (1 + (tl.names().size() + labels.size()) / 6) + 10;
        double scale = (double) widthPx / (toNs - fromNs);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"monospace\" font-size=\"11\">%n",
                LEFT + widthPx + RIGHT, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        if (title != null) {
            sb.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" font-size=\"14\" font-weight=\"bold\" font-family=\"sans-serif\">%s</text>%n",
                    TOP, escape(title)));
        }
        for (int c = 0; c < tl.cpus(); c++) {
            int y = top + c * (LANE + GAP);
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
            int y = top + lane * (LANE + GAP);
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
        int axisY = top + lanes * (LANE + GAP) + 4;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", LEFT, axisY, LEFT + widthPx, axisY));
        for (int k = 0; k <= 10; k++) {
            double x = LEFT + widthPx * k / 10.0;
            long t = fromNs + (toNs - fromNs) * k / 10;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, axisY, x, axisY + 4, x, axisY + 16, timeLabel(t)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", LEFT + widthPx / 2, axisY + 32,
                "time since the run started (virtual). Lanes: the task on each CPU, then each marked task's intervals"
                + (labels.containsAll(List.of("hold", "spin", "park")) ? " (hold: in the critical section; spin, park: waiting)" : "")));
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

    /** A distinct, stable colour per task id (the palette repeats after its length). */
    static String color(long task) {
        return TASK_COLORS[(int) Math.floorMod(task, (long) TASK_COLORS.length)];
    }

    /** Fixed colours for the mutex's hold/spin/park; other labels get light tones unlike the task colours. */
    static String labelColor(String label) {
        return switch (label) {
            case "hold" -> "#1565c0";
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
