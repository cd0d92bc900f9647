package org.tribuoadapt.peft.sora;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.NetworkOptimiser;

import java.util.List;

/**
 * The optimiser of SoRA's gates (Ding et al. 2023; the authors' {@code SparseAdamW}): an Adam step without weight
 * decay, then the proximal step of the L1 penalty, the soft threshold {@code g = sign(g) max(|g| - lambda, 0)}. The
 * threshold follows the {@link LambdaSchedule}: the run's planned steps are cut into as many equal stages as the
 * schedule has values, and stage {@code i} uses value {@code i}.
 */
final class GateOptimiser implements NetworkOptimiser {

    private final NetworkOptimiser adam;
    private final List<Parameter> gates;
    private final double[] lambdas;
    private final long plannedSteps;
    private long steps;

    /**
     * Creates the optimiser.
     * @param adam Adam over the gates.
     * @param gates The gates.
     * @param lambdas The threshold of each stage.
     * @param plannedSteps The run's planned number of steps.
     */
    GateOptimiser(NetworkOptimiser adam, List<Parameter> gates, double[] lambdas, long plannedSteps) {
        this.adam = adam;
        this.gates = List.copyOf(gates);
        this.lambdas = lambdas.clone();
        this.plannedSteps = Math.max(1, plannedSteps);
    }

    /**
     * The threshold the next step applies.
     * @return The current stage's lambda.
     */
    double threshold() {
        long stage = steps * lambdas.length / plannedSteps;
        return lambdas[(int) Math.min(lambdas.length - 1, stage)];
    }

    @Override
    public void step() {
        adam.step();
        float lambda = (float) threshold();
        try (GradientMode ignored = GradientMode.disabled()) {
            for (Parameter gate : gates) {
                NDArray g = gate.array();
                gate.copyFrom(g.abs().sub(lambda).maximum(0f).mul(g.sign()));
            }
        }
        steps++;
    }

    /** The gates' learning rate. */
    @Override
    public double learningRate() {
        return adam.learningRate();
    }

    @Override
    public void close() {
        adam.close();
    }
}
