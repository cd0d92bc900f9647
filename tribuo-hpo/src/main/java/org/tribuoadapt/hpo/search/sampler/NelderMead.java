package org.tribuoadapt.hpo.search.sampler;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.ToDoubleFunction;

/**
 * The downhill simplex method (Nelder and Mead, "A Simplex Method for Function Minimization", The Computer Journal
 * 1965) with the usual coefficients: reflection 1, expansion 2, contraction 1/2, shrink 1/2. Deterministic.
 */
final class NelderMead {

    private NelderMead() {}

    /**
     * Minimises a function.
     * @param f The function; NaN counts as +infinity.
     * @param start The starting point.
     * @param step The offset of the other initial vertices along each axis.
     * @param maxEvaluations The evaluations allowed.
     * @return The best vertex found.
     */
    static double[] minimise(ToDoubleFunction<double[]> f, double[] start, double step, int maxEvaluations) {
        int n = start.length;
        double[][] points = new double[n + 1][];
        double[] values = new double[n + 1];
        int[] evaluations = {0};
        ToDoubleFunction<double[]> counted = p -> {
            evaluations[0]++;
            double v = f.applyAsDouble(p);
            return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
        };
        for (int i = 0; i <= n; i++) {
            points[i] = start.clone();
            if (i > 0) {
                points[i][i - 1] += step;
            }
            values[i] = counted.applyAsDouble(points[i]);
        }
        Integer[] order = new Integer[n + 1];
        while (evaluations[0] < maxEvaluations) {
            for (int i = 0; i <= n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
            int best = order[0];
            int worst = order[n];
            int secondWorst = order[n - 1];
            if (values[worst] - values[best] < 1e-10 * (1 + Math.abs(values[best]))) {
                break;
            }
            double[] centroid = new double[n];
            for (int i = 0; i <= n; i++) {
                if (i != worst) {
                    for (int d = 0; d < n; d++) {
                        centroid[d] += points[i][d] / n;
                    }
                }
            }
            double[] reflected = along(centroid, points[worst], -1);
            double fr = counted.applyAsDouble(reflected);
            if (fr < values[best]) {
                double[] expanded = along(centroid, points[worst], -2);
                double fe = counted.applyAsDouble(expanded);
                replace(points, values, worst, fe < fr ? expanded : reflected, Math.min(fe, fr));
            } else if (fr < values[secondWorst]) {
                replace(points, values, worst, reflected, fr);
            } else {
                double[] contracted = fr < values[worst] ? along(centroid, points[worst], -0.5)
                        : along(centroid, points[worst], 0.5);
                double fc = counted.applyAsDouble(contracted);
                if (fc < Math.min(fr, values[worst])) {
                    replace(points, values, worst, contracted, fc);
                } else {
                    for (int i = 0; i <= n; i++) {
                        if (i != best) {
                            points[i] = along(points[best], points[i], 0.5);
                            values[i] = counted.applyAsDouble(points[i]);
                        }
                    }
                }
            }
        }
        int argmin = 0;
        for (int i = 1; i <= n; i++) {
            if (values[i] < values[argmin]) {
                argmin = i;
            }
        }
        return points[argmin];
    }

    // centroid + t (vertex - centroid)
    private static double[] along(double[] centroid, double[] vertex, double t) {
        double[] p = new double[centroid.length];
        for (int d = 0; d < p.length; d++) {
            p[d] = centroid[d] + t * (vertex[d] - centroid[d]);
        }
        return p;
    }

    private static void replace(double[][] points, double[] values, int index, double[] point, double value) {
        points[index] = point;
        values[index] = value;
    }
}
