package io.taskscratch.demo;

import java.util.List;
import java.util.Locale;

/**
 * Minimal SVG line charts with categorical x axes (thread counts, drop rates): one or more
 * panels side by side, one polyline per series, a legend, and the exact value in each point's
 * tooltip. Plain text output, no dependencies.
 */
public final class Charts {
    private static final int W = 620;
    private static final int H = 420;
    private static final int LEFT = 80;
    private static final int RIGHT = 190;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5"};

    private Charts() {
    }

    /**
     * One line.
     *
     * @param name   legend text
     * @param values y per x category (NaN: no point)
     */
    public record Series(String name, double[] values) {
    }

    /**
     * One chart.
     *
     * @param title  heading
     * @param xLabel x axis title
     * @param yLabel y axis title
     * @param xs     x categories
     * @param series the lines
     */
    public record Panel(String title, String xLabel, String yLabel, List<String> xs, List<Series> series) {
    }

    /**
     * Renders panels side by side.
     *
     * @param panels the charts
     * @return the SVG document
     */
    public static String render(List<Panel> panels) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", W * panels.size(), H));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (int i = 0; i < panels.size(); i++) {
            panel(sb, panels.get(i), i * W);
        }
        return sb.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder sb, Panel p, int x0) {
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        double max = 0;
        for (Series s : p.series()) {
            for (double v : s.values()) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        max = niceCeil(max);
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                x0 + LEFT, esc(p.title())));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                x0 + LEFT, TOP, pw, ph));
        for (int t = 0; t <= 5; t++) {
            double v = max * t / 5;
            int y = TOP + ph - (int) Math.round(ph * t / 5.0);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    x0 + LEFT, y, x0 + LEFT + pw, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    x0 + LEFT - 6, y + 4, esc(short3(v))));
        }
        int n = p.xs().size();
        for (int i = 0; i < n; i++) {
            int x = xAt(x0, i, n, pw);
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x, TOP + ph + 18, esc(p.xs().get(i))));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x0 + LEFT + pw / 2, H - 18, esc(p.xLabel())));
        sb.append(String.format(Locale.ROOT, "<text transform=\"translate(%d,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
                x0 + 18, TOP + ph / 2, esc(p.yLabel())));
        for (int s = 0; s < p.series().size(); s++) {
            Series se = p.series().get(s);
            String color = COLORS[s % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < n && i < se.values().length; i++) {
                double v = se.values()[i];
                if (Double.isNaN(v)) {
                    continue;
                }
                int x = xAt(x0, i, n, pw);
                int y = TOP + ph - (int) Math.round(max == 0 ? 0 : ph * v / max);
                pts.append(x).append(',').append(y).append(' ');
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"><title>%s @ %s: %s</title></circle>%n",
                        x, y, color, esc(se.name()), esc(p.xs().get(i)), esc(short3(v))));
            }
            String dash = se.name().startsWith("adaptive") ? "" : " stroke-dasharray=\"5,3\"";
            sb.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    pts.toString().trim(), color, dash));
            int ly = TOP + 10 + s * 16;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    x0 + LEFT + pw + 10, ly, x0 + LEFT + pw + 30, ly, color, dash));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x0 + LEFT + pw + 34, ly + 4, esc(se.name())));
        }
    }

    private static int xAt(int x0, int i, int n, int pw) {
        return x0 + LEFT + (n == 1 ? pw / 2 : (int) Math.round(20 + (pw - 40) * i / (double) (n - 1)));
    }

    private static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= v) {
                return m * mag;
            }
        }
        return 10 * mag;
    }

    private static String short3(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.3gM", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.3gk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
