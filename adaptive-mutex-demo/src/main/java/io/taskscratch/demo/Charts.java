package io.taskscratch.demo;

import java.util.List;
import java.util.Locale;

/**
 * Minimal SVG line charts: one or more panels side by side, one polyline per series, optional
 * horizontal reference lines, a legend, and the exact value in each point's tooltip. The x axis
 * is categorical (evenly spaced) or placed at given positions; the y axis starts at zero or
 * spans the data, and then says so in its title. Plain text output, no dependencies.
 */
final class Charts {
    private static final int W = 620;
    private static final int H = 420;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final double LINE = 1.8;
    private static final double FEATURED_LINE = 4.5;
    private static final int Y_TICKS = 5;
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
    record Series(String name, double[] values) {
    }

    /**
     * A horizontal line across a panel, e.g. a no-state baseline.
     *
     * @param name  legend text
     * @param value y
     */
    record Reference(String name, double value) {
    }

    /**
     * One chart.
     *
     * @param title      heading
     * @param xLabel     x axis title
     * @param yLabel     y axis title
     * @param xs         x tick labels
     * @param series     the lines
     * @param xPositions where each x sits on a linear axis, or null for evenly spaced categories
     * @param yFromZero  whether the y axis starts at 0; if not it spans the data and the y title says from where
     * @param references horizontal lines
     * @param featured   the series drawn last and thickest (null: none)
     */
    record Panel(String title, String xLabel, String yLabel, List<String> xs, List<Series> series, double[] xPositions,
                 boolean yFromZero, List<Reference> references, String featured) {
        /**
         * A panel with categorical x, y from zero, no references, nothing featured.
         *
         * @param title  heading
         * @param xLabel x axis title
         * @param yLabel y axis title
         * @param xs     x categories
         * @param series the lines
         */
        Panel(String title, String xLabel, String yLabel, List<String> xs, List<Series> series) {
            this(title, xLabel, yLabel, xs, series, null, true, List.of(), null);
        }
    }

    /**
     * Renders panels side by side.
     *
     * @param panels the charts
     * @return the SVG document
     */
    static String render(List<Panel> panels) {
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
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (Series s : p.series()) {
            for (double v : s.values()) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
            }
        }
        for (Reference r : p.references()) {
            max = Math.max(max, r.value());
            min = Math.min(min, r.value());
        }
        if (max == Double.NEGATIVE_INFINITY) {
            max = 1;
            min = 0;
        }
        double lo;
        double hi;
        String yTitle = p.yLabel();
        if (p.yFromZero() || min <= 0 || max == min) {
            lo = 0;
            hi = niceCeil(max);
        } else {
            double step = niceCeil((max - min) / (Y_TICKS - 1));
            lo = Math.floor(min / step) * step;
            hi = lo + step * Y_TICKS;
            while (hi < max) {
                hi += step;
            }
            yTitle += " (axis from " + short3(lo) + ", not 0)";
        }
        double yLo = lo;
        double ySpan = hi - lo;
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                x0 + LEFT, esc(p.title())));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                x0 + LEFT, TOP, pw, ph));
        for (int t = 0; t <= Y_TICKS; t++) {
            double v = lo + ySpan * t / Y_TICKS;
            int y = TOP + ph - (int) Math.round(ph * t / (double) Y_TICKS);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    x0 + LEFT, y, x0 + LEFT + pw, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    x0 + LEFT - 6, y + 4, esc(short3(v))));
        }
        int n = p.xs().size();
        for (int i = 0; i < n; i++) {
            int x = xAt(x0, i, p, pw);
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x, TOP + ph + 18, esc(p.xs().get(i))));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x0 + LEFT + pw / 2, H - 18, esc(p.xLabel())));
        sb.append(String.format(Locale.ROOT, "<text transform=\"translate(%d,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
                x0 + 18, TOP + ph / 2, esc(yTitle)));
        int legend = 0;
        for (Reference r : p.references()) {
            int y = TOP + ph - (int) Math.round(ph * (r.value() - yLo) / ySpan);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\" stroke-width=\"1.5\" "
                    + "stroke-dasharray=\"2,3\"><title>%s: %s</title></line>%n", x0 + LEFT, y, x0 + LEFT + pw, y, esc(r.name()), esc(short3(r.value()))));
            legend(sb, x0 + LEFT + pw, legend++, "#444", " stroke-dasharray=\"2,3\"", 1.5, r.name() + " (reference)");
        }
        List<Integer> order = new java.util.ArrayList<>();
        for (int s = 0; s < p.series().size(); s++) {
            if (!p.series().get(s).name().equals(p.featured())) {
                order.add(s);
            }
        }
        for (int s = 0; s < p.series().size(); s++) {
            if (p.series().get(s).name().equals(p.featured())) {
                order.add(s); // drawn last: on top of lines with the same values
            }
        }
        for (int s : order) {
            Series se = p.series().get(s);
            String color = COLORS[s % COLORS.length];
            boolean featured = se.name().equals(p.featured());
            double width = featured ? FEATURED_LINE : LINE;
            StringBuilder pts = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (int i = 0; i < n && i < se.values().length; i++) {
                double v = se.values()[i];
                if (Double.isNaN(v)) {
                    continue;
                }
                int x = xAt(x0, i, p, pw);
                int y = TOP + ph - (int) Math.round(ph * (v - yLo) / ySpan);
                pts.append(x).append(',').append(y).append(' ');
                dots.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"%d\" fill=\"%s\"><title>%s @ %s: %s</title></circle>%n",
                        x, y, featured ? 5 : 3, color, esc(se.name()), esc(p.xs().get(i)), esc(short3(v))));
            }
            String dash = se.name().startsWith("adaptive") ? "" : " stroke-dasharray=\"5,3\"";
            sb.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s%s/>%n",
                    pts.toString().trim(), color, width, dash, featured ? "" : " stroke-opacity=\"0.85\""));
            sb.append(dots);
        }
        for (int s = 0; s < p.series().size(); s++) {
            Series se = p.series().get(s);
            boolean featured = se.name().equals(p.featured());
            legend(sb, x0 + LEFT + pw, legend++, COLORS[s % COLORS.length], se.name().startsWith("adaptive") ? "" : " stroke-dasharray=\"5,3\"",
                    featured ? FEATURED_LINE : LINE, featured ? se.name() + " (thick)" : se.name());
        }
    }

    private static void legend(StringBuilder sb, int x, int row, String color, String dash, double width, String text) {
        int ly = TOP + 10 + row * 16;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>%n",
                x + 10, ly, x + 30, ly, color, width, dash));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x + 34, ly + 4, esc(text)));
    }

    private static int xAt(int x0, int i, Panel p, int pw) {
        int n = p.xs().size();
        if (n == 1) {
            return x0 + LEFT + pw / 2;
        }
        double f;
        if (p.xPositions() == null) {
            f = i / (double) (n - 1);
        } else {
            double[] xp = p.xPositions();
            double lo = java.util.Arrays.stream(xp).min().orElse(0);
            double hi = java.util.Arrays.stream(xp).max().orElse(1);
            f = hi == lo ? 0.5 : (xp[i] - lo) / (hi - lo);
        }
        return x0 + LEFT + (int) Math.round(20 + (pw - 40) * f);
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

    /** XML text escaping (also used by {@link ValidationChart}). */
    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
