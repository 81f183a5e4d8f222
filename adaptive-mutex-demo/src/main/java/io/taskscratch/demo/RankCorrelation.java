package io.taskscratch.demo;

import java.util.Arrays;

/** Spearman's rank correlation, ties given their average rank (the model-vs-real validation). */
final class RankCorrelation {
    private RankCorrelation() {
    }

    /**
     * Spearman's ρ of two equally long samples: Pearson's correlation of their ranks.
     *
     * @param a first sample
     * @param b second sample, same length, at least 2
     * @return ρ in [-1, 1]; NaN when either sample is constant
     */
    static double spearman(double[] a, double[] b) {
        if (a.length != b.length || a.length < 2) {
            throw new IllegalArgumentException("spearman: samples of lengths " + a.length + " and " + b.length
                    + ": need equal lengths of at least 2");
        }
        return pearson(ranks(a), ranks(b));
    }

    /** 1-based ranks, ties averaged. */
    static double[] ranks(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(v[x], v[y]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[order[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    private static double pearson(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }
}
