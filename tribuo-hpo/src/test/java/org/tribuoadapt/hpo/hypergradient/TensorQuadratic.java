package org.tribuoadapt.hpo.hypergradient;

import org.tribuo.math.LinearParameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.Tensor;

/**
 * The quadratic {@code f(theta) = 1/2 sum_i a_i theta_i^2} over a 1 x n Tribuo weight matrix, minimised through a
 * Tribuo optimiser the way Tribuo's SGD trainers drive it: the optimiser receives the negated gradient and its
 * result is added to the parameters.
 */
final class TensorQuadratic {
    private final double[] curvature;
    private final LinearParameters parameters;
    private final StochasticGradientOptimiser optimiser;

    TensorQuadratic(double[] curvature, double[] start, StochasticGradientOptimiser optimiser) {
        this.curvature = curvature.clone();
        this.parameters = new LinearParameters(DenseMatrix.createDenseMatrix(new double[][] {start.clone()}));
        this.optimiser = optimiser;
        optimiser.initialise(parameters);
    }

    double[] theta() {
        DenseMatrix w = (DenseMatrix) parameters.get()[0];
        double[] out = new double[curvature.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = w.get(0, i);
        }
        return out;
    }

    double loss() {
        double[] t = theta();
        double sum = 0;
        for (int i = 0; i < t.length; i++) {
            sum += 0.5 * curvature[i] * t[i] * t[i];
        }
        return sum;
    }

    /** One step; returns the update the optimiser produced. */
    double[] step() {
        double[] t = theta();
        double[][] negatedGradient = new double[1][t.length];
        for (int i = 0; i < t.length; i++) {
            negatedGradient[0][i] = -curvature[i] * t[i];
        }
        Tensor[] update = optimiser.step(new Tensor[] {DenseMatrix.createDenseMatrix(negatedGradient)}, 1.0);
        parameters.update(update);
        DenseMatrix u = (DenseMatrix) update[0];
        double[] out = new double[t.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = u.get(0, i);
        }
        return out;
    }

    double run(int steps) {
        double start = loss();
        for (int i = 0; i < steps; i++) {
            step();
        }
        return loss() / start;
    }
}
