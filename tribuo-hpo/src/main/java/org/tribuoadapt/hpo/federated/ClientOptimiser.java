package org.tribuoadapt.hpo.federated;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.ParameterOptimiser;

import java.util.List;

/**
 * A client's local optimiser in the federated simulation: SGD with optional (PyTorch-style) momentum, and
 * optionally FedHyper's client-side local scheduler (CL; Zhou et al. 2024, rules as in the authors' code). With
 * {@code d_k} the change of the weights at local step k, from step 2 on CL multiplies the learning rate by
 * {@code gamma = min(1.1, 1 + 0.1 (d_k . Delta_{t-1}) / m + d_k . d_{k-1})}, where {@code Delta_{t-1}} is the
 * previous round's averaged update and m the number of clients sampled per round, and keeps the multiplier in
 * {@code [0.1, 10]}; the client's learning rate is {@code eta * multiplier}.
 */
final class ClientOptimiser extends ParameterOptimiser {
    /** Weight of the global term in gamma. */
    static final double GLOBAL_WEIGHT = 0.1;
    /** Largest gamma per step. */
    static final double MAX_GAMMA = 1.1;
    /** Bounds of the learning-rate multiplier. */
    static final double MIN_MULTIPLIER = 0.1;
    static final double MAX_MULTIPLIER = 10.0;

    private static final NDIndex ALL = new NDIndex("...");

    private final double learningRate;
    private final double momentum;
    private final NDArray[] buffers;
    private final NDArray[] globalUpdate;
    private final NDArray[] previousSteps;
    private final int sampledClients;
    private double multiplier = 1.0;

    /**
     * Creates a client's optimiser for one round.
     * @param weights The trainable weights, aligned with {@code globalUpdate}.
     * @param learningRate The learning rate the client starts from.
     * @param momentum The momentum factor, 0 for none.
     * @param globalUpdate {@code Delta_{t-1}} for CL, or null to run without CL.
     * @param sampledClients The number of clients sampled per round.
     */
    ClientOptimiser(List<Parameter> weights, double learningRate, double momentum, NDArray[] globalUpdate, int sampledClients) {
        super(weights);
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.buffers = momentum > 0 ? newState() : null;
        this.globalUpdate = globalUpdate;
        this.previousSteps = globalUpdate == null ? null : newState();
        this.sampledClients = sampledClients;
    }

    @Override
    protected void update(int t) {
        double rate = learningRate();
        double globalDot = 0;
        double previousDot = 0;
        for (int i = 0; i < parameters.size(); i++) {
            NDArray direction = gradient(parameters.get(i));
            if (buffers != null) {
                direction = buffers[i].muli(momentum).addi(direction);
            }
            NDArray step = direction.mul(-rate);
            parameters.get(i).array().addi(step);
            if (previousSteps != null) {
                if (t >= 2) {
                    globalDot += step.mul(globalUpdate[i]).sum().getFloat();
                    previousDot += step.mul(previousSteps[i]).sum().getFloat();
                }
                previousSteps[i].set(ALL, step);
            }
        }
        if (previousSteps != null && t >= 2) {
            if (!Double.isFinite(globalDot) || !Double.isFinite(previousDot)) {
                throw new IllegalStateException("a client's update became NaN or infinite at local step " + t
                        + " (learning rate " + rate + "); lower the learning rate");
            }
            double gamma = Math.min(MAX_GAMMA, 1 + GLOBAL_WEIGHT * globalDot / sampledClients + previousDot);
            multiplier = Math.min(MAX_MULTIPLIER, Math.max(MIN_MULTIPLIER, gamma * multiplier));
        }
    }

    @Override
    public double learningRate() {
        return learningRate * multiplier;
    }
}
