package org.tribuoadapt.peft.allora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.NetworkOptimiser;

import java.util.Arrays;
import java.util.List;

/**
 * ALLoRA's adaptive learning rate: each step of the trainer's optimiser is scaled, row by row of every LoRA factor
 * ({@code A [r, in]}: one row per rank; {@code B [out, r]}: one row per output feature), by
 * {@code c_i = 1 / sqrt(1/eta + ||row_i||^2)}, with the row's norm before the step. A zero row (LoRA's {@code B} at
 * the start) steps at {@code sqrt(eta)} times the trainer's rate, a large row at about {@code 1 / ||row_i||} times it.
 * For plain SGD this is the paper's scaling of the gradient; for Adam, whose step does not change when its gradients
 * are rescaled by a slowly varying factor, the step itself is scaled, which is the learning-rate reading of the
 * method's name.
 */
final class RowAdaptiveOptimiser implements NetworkOptimiser {

    private final NetworkOptimiser trainer;
    private final List<Parameter> factors;
    private final double eta;

    /**
     * Wraps an optimiser.
     * @param trainer The trainer's optimiser; closed with this one.
     * @param factors The LoRA factors whose steps are scaled; other parameters (modules to save) step as usual.
     * @param eta The rate parameter {@code eta > 0}.
     */
    RowAdaptiveOptimiser(NetworkOptimiser trainer, List<Parameter> factors, double eta) {
        this.trainer = trainer;
        this.factors = List.copyOf(factors);
        this.eta = eta;
    }

    /**
     * The per-row coefficients of a factor.
     * @param factor The factor's values, first dimension the rows.
     * @param eta The rate parameter.
     * @return {@code 1 / sqrt(1/eta + ||row_i||^2)}, one per row, shaped to broadcast over the factor.
     */
    static NDArray rowCoefficients(NDArray factor, double eta) {
        long rows = factor.getShape().get(0);
        NDArray squares = factor.reshape(rows, -1).square().sum(new int[] {1}, true);
        long[] broadcast = new long[factor.getShape().dimension()];
        Arrays.fill(broadcast, 1);
        broadcast[0] = rows;
        return squares.add(1.0 / eta).sqrt().pow(-1).reshape(broadcast);
    }

    @Override
    public void step() {
        try (NDScope ignored = new NDScope()) {
            NDArray[] before = new NDArray[factors.size()];
            NDArray[] coefficients = new NDArray[factors.size()];
            for (int i = 0; i < before.length; i++) {
                before[i] = factors.get(i).array().duplicate();
                coefficients[i] = rowCoefficients(before[i], eta);
            }
            trainer.step();
            for (int i = 0; i < before.length; i++) {
                Parameter p = factors.get(i);
                p.copyFrom(before[i].add(p.array().sub(before[i]).mul(coefficients[i])));
            }
        }
    }

    @Override
    public double learningRate() {
        return trainer.learningRate();
    }

    @Override
    public void close() {
        trainer.close();
    }
}
