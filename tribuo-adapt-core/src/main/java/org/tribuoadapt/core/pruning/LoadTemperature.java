package org.tribuoadapt.core.pruning;

/**
 * The two control parameters of the three-regime model of pruning (Zhou, Yang, Chang and Mahoney, ICML 2023): a
 * load-like parameter of the pruned network and a temperature-like parameter of the dense training before pruning.
 * <p>
 * The load is given by the pruning ratio; the paper plots it as the density {@code 1 - ratio} and, after Yang et al.
 * 2021, reads a smaller density as a higher load (more training data per remaining parameter, reported by
 * {@link #examplesPerWeight(int, long)}). The paper varies the temperature through the number of training epochs,
 * the batch size or SAM's radius without a formula; this project measures the temperature of plain SGD-type training
 * as the noise scale {@code learningRate / batchSize} of the stochastic-differential-equation view of SGD (Jastrzebski
 * et al. 2017, "Three Factors Influencing Minima in SGD"), which rises with the learning rate and falls with the batch
 * size, the direction of the paper's batch-size axis.
 *
 * @param pruningRatio The share of prunable weights pruned, in [0, 1).
 * @param temperature The temperature, positive and finite.
 */
public record LoadTemperature(double pruningRatio, double temperature) {

    /**
     * Checks the two parameters.
     * @throws IllegalArgumentException if the ratio is outside [0, 1) or the temperature is not positive and finite.
     */
    public LoadTemperature {
        if (!(pruningRatio >= 0 && pruningRatio < 1)) {
            throw new IllegalArgumentException("the pruning ratio must be in [0, 1), found " + pruningRatio);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("the temperature must be positive and finite, found " + temperature);
        }
    }

    /**
     * The control point of a dense training run pruned at a ratio.
     * @param pruningRatio The pruning ratio, in [0, 1).
     * @param learningRate The dense training's learning rate, positive and finite.
     * @param batchSize The dense training's batch size, at least 1.
     * @return The point, with temperature {@code learningRate / batchSize}.
     * @throws IllegalArgumentException if a setting is out of range.
     */
    public static LoadTemperature of(double pruningRatio, double learningRate, int batchSize) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("the learning rate must be positive and finite, found " + learningRate);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("the batch size must be at least 1, found " + batchSize);
        }
        return new LoadTemperature(pruningRatio, learningRate / batchSize);
    }

    /**
     * The density of the pruned network, the paper's load axis.
     * @return {@code 1 - pruningRatio}.
     */
    public double density() {
        return 1 - pruningRatio;
    }

    /**
     * Training examples per remaining prunable weight, the data-to-parameter load of Yang et al. 2021.
     * @param examples The number of training examples.
     * @param prunableWeights The number of prunable weights of the dense network.
     * @return {@code examples / (density * prunableWeights)}.
     * @throws IllegalArgumentException if a count is not positive.
     */
    public double examplesPerWeight(int examples, long prunableWeights) {
        if (examples < 1 || prunableWeights < 1) {
            throw new IllegalArgumentException("need positive counts of examples and weights, found " + examples + " and "
                    + prunableWeights);
        }
        return examples / (density() * prunableWeights);
    }
}
