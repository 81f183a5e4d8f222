package io.taskscratch.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The validation's scatter chart: one point per lock and shape, x = the lock's real throughput
 * over the best lock's, y = the same in the model. Points on the diagonal are predicted exactly;
 * the shaded band is the ±tolerance goal. Colour per shape, lock name beside each point, exact
 * values in tooltips.
 */
final class ValidationChart {
    private static final int SIZE = 560;
    private static final int LEFT = 70;
    private static final int TOP = 50;
    private static final int LEGEND = 170;
    private static final int BOTTOM = 60;
    private static final double MAX = 1.05;
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"};

    private ValidationChart() {
    }

    /**
     * One lock in one shape.
     *
     * @param shape     the shape's name (colour)
     * @param lock      the lock's name (label)
     * @param realRatio real throughput / best real
     * @param modelRatio model throughput / best model
     */
    record Point(String shape, String lock, double realRatio, double modelRatio) {
    }

    private static double x(double v) {
        return LEFT + Math.max(0, Math.min(MAX, v)) / MAX * SIZE;
    }

    private static double y(double v) {
        return TOP + SIZE - Math.max(0, Math.min(MAX, v)) / MAX * SIZE;
    }

    /**
     * Renders the chart.
     *
     * @param title     heading
     * @param points    the points
     * @param tolerance half-width of the shaded band around the diagonal
     * @return the SVG document
     */
    static String render(String title, List<Point> points, double tolerance) {
        int w = LEFT + SIZE + LEGEND;
        int h = TOP + SIZE + BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                + " font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", w, h));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", LEFT, Charts.esc(title)));
        sb.append(String.format(Locale.ROOT, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\""
                + " fill=\"#e8f0e8\"/>%n", x(0), y(0), x(0), y(tolerance), x(MAX - tolerance), y(MAX), x(MAX), y(MAX), x(MAX),
                y(MAX - tolerance), x(tolerance), y(0)));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>%n",
                x(0), y(0), x(MAX), y(MAX)));
        for (int i = 0; i <= 10; i++) {
            double v = i / 10.0;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>%n", x(v), y(0), x(v), y(MAX)));
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>%n", x(0), y(v), x(MAX), y(v)));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.1f</text>%n", x(v), y(0) + 18, v));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>%n", x(0) - 6, y(v) + 4, v));
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n", LEFT, TOP, SIZE, SIZE));
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">real: throughput / best lock</text>%n",
                x(MAX / 2), TOP + SIZE + 42));
        sb.append(String.format(Locale.ROOT, "<text transform=\"translate(20,%.1f) rotate(-90)\" text-anchor=\"middle\">model: throughput /"
                + " best lock</text>%n", y(MAX / 2)));
        List<String> shapes = new ArrayList<>();
        for (Point p : points) {
            if (!shapes.contains(p.shape())) {
                shapes.add(p.shape());
            }
        }
        for (Point p : points) {
            String c = COLORS[shapes.indexOf(p.shape()) % COLORS.length];
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\" fill-opacity=\"0.8\"><title>%s %s: real %.3f,"
                    + " model %.3f</title></circle>%n", x(p.realRatio()), y(p.modelRatio()), c, Charts.esc(p.shape()), Charts.esc(p.lock()),
                    p.realRatio(), p.modelRatio()));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" fill=\"%s\">%s</text>%n", x(p.realRatio()) + 7,
                    y(p.modelRatio()) + 3, c, Charts.esc(p.lock())));
        }
        for (int i = 0; i < shapes.size(); i++) {
            int ly = TOP + 10 + i * 20;
            String c = COLORS[i % COLORS.length];
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    LEFT + SIZE + 20, ly, c, LEFT + SIZE + 32, ly + 4, Charts.esc(shapes.get(i))));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#555\">band: +-%.2f</text>%n", LEFT + SIZE + 14,
                TOP + 20 + shapes.size() * 20, tolerance));
        return sb.append("</svg>\n").toString();
    }
}
