package org.tribuoadapt.hpo.hypergradient;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.TrainingPlan;

import java.util.List;

/**
 * The quadratic {@code f(theta) = 1/2 sum_i a_i theta_i^2} over one parameter tensor, minimised with a network
 * optimiser through real autograd. Its gradient is {@code a * theta}.
 */
final class Quadratic implements AutoCloseable {
    private final NDManager manager = DjlRuntime.newManager();
    private final float[] curvature;
    private final Parameter theta;
    private final NetworkOptimiser optimiser;

    Quadratic(float[] curvature, float[] start, OptimiserFactory factory) {
        this.curvature = curvature.clone();
        NDArray array = manager.create(start.clone());
        this.theta = new Parameter("weight", Parameter.Kind.WEIGHT, array);
        this.optimiser = factory.create(List.of(theta), new TrainingPlan(start.length, start.length, 1, 1, 1, 1));
    }

    /** The loss at the current point. */
    double loss() {
        float[] t = theta.toFloatArray();
        double sum = 0;
        for (int i = 0; i < t.length; i++) {
            sum += 0.5 * curvature[i] * t[i] * (double) t[i];
        }
        return sum;
    }

    /** The current point. */
    float[] theta() {
        return theta.toFloatArray();
    }

    /** The optimiser's current learning rate. */
    double learningRate() {
        return optimiser.learningRate();
    }

    /** Computes the gradient by autograd and takes one optimiser step. */
    void step() {
        try (NDManager batch = manager.newSubManager(); NDScope ignored = new NDScope()) {
            NDArray a = batch.create(curvature);
            try (GradientMode recording = GradientMode.enabled()) {
                NDArray loss = theta.array().square().mul(a).sum().mul(0.5f);
                GradientMode.backward(loss);
            }
            optimiser.step();
            GradientMode.zeroGradient(theta.array());
        }
    }

    /**
     * Runs {@code steps} steps.
     * @param steps How many.
     * @return The loss after them divided by the starting loss.
     */
    double run(int steps) {
        double start = loss();
        for (int i = 0; i < steps; i++) {
            step();
        }
        return loss() / start;
    }

    @Override
    public void close() {
        optimiser.close();
        manager.close();
    }
}
