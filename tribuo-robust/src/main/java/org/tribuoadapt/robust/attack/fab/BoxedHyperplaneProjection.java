package org.tribuoadapt.robust.attack.fab;

import org.tribuoadapt.robust.attack.AttackNorm;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The projection at the heart of FAB (Croce and Hein 2020, "Minimally distorted adversarial examples with a fast
 * adaptive boundary attack", equation 5): the shortest step {@code d}, in Linf or L2, that moves a point {@code x}
 * onto the hyperplane {@code <w, z> = b} while {@code z = x + d} stays in the box [0, 1].
 * <p>
 * Orient the problem so that the point must lower {@code s <w, z>} by {@code r = |<w, x> - b|} ({@code s} the sign of
 * {@code <w, x> - b}). Each coordinate with {@code w_i != 0} moves against {@code s sign(w_i)}, at most its room to the
 * box ({@code x_i} or {@code 1 - x_i}). At the optimum every coordinate moves {@code min(lambda, room_i)} under Linf
 * and {@code min(lambda |w_i|, room_i)} under L2 (the KKT conditions of the L2 problem), with one multiplier
 * {@code lambda >= 0}; the progress {@code sum_i |w_i| min(..)} is piecewise linear and increasing in
 * {@code lambda}, so {@code lambda} is found exactly by walking the coordinates in the order in which they reach the
 * box. When even the whole box cannot reach the hyperplane, every coordinate moves to its box bound, the point of the
 * box closest to the hyperplane in the value of {@code <w, z>}, as the reference implementation does.
 */
final class BoxedHyperplaneProjection {

    private BoxedHyperplaneProjection() {}

    /**
     * Projects one point.
     * @param norm The norm the step is measured in.
     * @param x The values of a batch of points.
     * @param offset Where this point's values start.
     * @param w The hyperplane's normal, one value per input value.
     * @param b The hyperplane's offset.
     * @return The step {@code d}, with {@code x + d} in [0, 1].
     */
    static double[] project(AttackNorm norm, float[] x, int offset, double[] w, double b) {
        int size = w.length;
        double excess = -b;
        for (int i = 0; i < size; i++) {
            excess += w[i] * x[offset + i];
        }
        double orientation = excess >= 0 ? 1 : -1;
        double needed = Math.abs(excess);
        double[] step = new double[size];
        if (needed == 0) {
            return step;
        }
        double[] room = new double[size];
        double[] breakpoint = new double[size];
        Integer[] moving = new Integer[size];
        int count = 0;
        double slope = 0;
        for (int i = 0; i < size; i++) {
            if (w[i] == 0) {
                continue;
            }
            room[i] = orientation * w[i] > 0 ? x[offset + i] : 1.0 - x[offset + i];
            double weight = Math.abs(w[i]);
            breakpoint[i] = norm == AttackNorm.LINF ? room[i] : room[i] / weight;
            slope += rate(norm, weight);
            moving[count++] = i;
        }
        Integer[] order = Arrays.copyOf(moving, count);
        Arrays.sort(order, Comparator.comparingDouble(i -> breakpoint[i]));
        double reached = 0;
        double lambda = Double.POSITIVE_INFINITY;
        for (int i : order) {
            if (reached + slope * breakpoint[i] >= needed) {
                lambda = (needed - reached) / slope;
                break;
            }
            reached += Math.abs(w[i]) * room[i];
            slope -= rate(norm, Math.abs(w[i]));
        }
        for (int k = 0; k < count; k++) {
            int i = order[k];
            double reach = norm == AttackNorm.LINF ? lambda : lambda * Math.abs(w[i]);
            step[i] = -orientation * Math.signum(w[i]) * Math.min(reach, room[i]);
        }
        return step;
    }

    /** How fast a coordinate's progress grows with lambda while it is inside the box. */
    private static double rate(AttackNorm norm, double weight) {
        return norm == AttackNorm.LINF ? weight : weight * weight;
    }
}
