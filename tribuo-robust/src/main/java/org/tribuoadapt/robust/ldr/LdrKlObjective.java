package org.tribuoadapt.robust.ldr;

import ai.djl.ndarray.NDArray;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.TrainingObjective;

import java.util.SplittableRandom;

/**
 * The LDR-KL loss (Zhu, Ying and Yang 2023, "Label Distributionally Robust Losses for Multi-class Classification",
 * equation 4): the worst case over label weights {@code p} in the simplex of {@code sum_k p_k (c 1[k != y] + f_k - f_y)},
 * regularised by {@code lambda KL(p, uniform)}, which in closed form is
 * {@code lambda log((1/K) sum_k exp((c 1[k != y] + f_k - f_y) / lambda))}.
 * <ul>
 *   <li>{@code lambda = 1, c = 0} is the cross-entropy minus {@code log K}; other {@code lambda} give the
 *   temperature-scaled cross-entropy (up to a factor and a constant).</li>
 *   <li>{@code lambda -> 0} tends to the Crammer-Singer multi-class hinge {@code max_k (c 1[k != y] + f_k - f_y)};
 *   {@code lambda -> infinity} to the mean margin, which is symmetric and so robust to uniform label noise.</li>
 * </ul>
 * A {@code NetworkTrainer} objective, for training on noisy labels. {@link AldrKlObjective} adapts lambda to each
 * example.
 */
public final class LdrKlObjective implements TrainingObjective {

    @Config(description = "The regularisation strength lambda of the KL term (the temperature), > 0.")
    private double lambda = 1.0;

    @Config(description = "The margin c added to every wrong class's score, >= 0.")
    private double margin = 1.0;

    /** For OLCUT. */
    private LdrKlObjective() {}

    /**
     * Creates the loss.
     * @param lambda The KL regularisation strength, {@code > 0}.
     * @param margin The margin {@code c >= 0}.
     */
    public LdrKlObjective(double lambda, double margin) {
        this.lambda = lambda;
        this.margin = margin;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new PropertyException("", "lambda", "lambda must be positive and finite, found " + lambda);
        }
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new PropertyException("", "margin", "margin must be finite and >= 0, found " + margin);
        }
    }

    /**
     * The loss of each example.
     * @param logits Scores {@code [N, K]}.
     * @param labels True classes {@code [N]}.
     * @return Losses {@code [N]}, differentiable in the scores.
     */
    public NDArray perExample(NDArray logits, NDArray labels) {
        NDArray index = LdrKl.labelColumn(labels);
        NDArray scaled = TapeConstants.dividedBy(LdrKl.margins(logits, index, margin), lambda);
        return TapeConstants.times(LdrKl.logMeanExp(scaled, index), lambda);
    }

    @Override
    public BatchObjective newBatchObjective(SplittableRandom runRandom) {
        return (network, features, labels, context) -> perExample(network.forward(features, context), labels).mean();
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TrainingObjective");
    }

    @Override
    public String toString() {
        return "LdrKlObjective(lambda=" + lambda + ",margin=" + margin + ")";
    }
}
