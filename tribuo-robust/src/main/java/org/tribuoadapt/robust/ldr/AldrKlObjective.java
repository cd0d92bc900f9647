package org.tribuoadapt.robust.ldr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.TrainingObjective;

import java.util.SplittableRandom;

/**
 * The ALDR-KL loss (Zhu, Ying and Yang 2023, "Label Distributionally Robust Losses for Multi-class Classification:
 * Consistency, Robustness and Adaptivity"): the LDR-KL loss with an individually adaptive regularisation strength
 * {@code lambda_i}, which shrinks (towards the hinge) when an example's worst-case label weights concentrate and stays
 * near {@code lambda_0} when they spread. With margins {@code z_k = c 1[k != y] + f_k - f_y},
 * <pre>
 *   ALDR-KL = max_{lambda} max_{p in simplex} sum_k p_k z_k - lambda KL(p, uniform) - (alpha log K / (2 lambda_0)) (lambda - lambda_0)^2,
 * </pre>
 * the quadratic pulling {@code lambda} towards the reference {@code lambda_0}, weighted as in the authors'
 * implementation ({@code ALDRLoss_V1}). The inner problems have closed forms: for fixed {@code lambda},
 * {@code p = softmax(z / lambda)} and the value is the LDR-KL loss {@code lambda log((1/K) sum_k exp(z_k / lambda))};
 * for fixed {@code p}, {@code lambda = lambda_0 (1 - KL(p, uniform) / (alpha log K))}, which lies in
 * {@code (lambda_0 (1 - 1/alpha), lambda_0]} because {@code 0 <= KL < log K}, so {@code alpha > 1} keeps it positive.
 * <p>
 * Each example's {@code lambda_i} is found by alternating the two closed forms {@code lambdaSteps} times from
 * {@code lambda_0}, on the current scores and without gradient (the authors detach it too); the sequence decreases
 * monotonically to the largest fixed point. The loss is then LDR-KL at {@code lambda_i} minus the quadratic, whose
 * gradient in the scores is {@code softmax(z / lambda_i) - e_y}. Two deliberate differences from the authors' code:
 * it keeps each example's {@code lambda_i} across epochs and takes one alternating step per visit, where this
 * objective needs no example identities and iterates within the batch; and it computes {@code p} without the margin
 * and on scores rescaled by their mean absolute value, where this uses the exact maximiser {@code softmax(z / lambda)}
 * on the network's scores, as {@link LdrKlObjective} does.
 * <p>
 * Limits: {@code alpha -> infinity} fixes {@code lambda_i = lambda_0}, the LDR-KL loss; {@code lambda_0 -> infinity}
 * tends to the mean margin {@code (1/K) sum_k z_k}, and {@code lambda_0 -> 0} to the Crammer-Singer hinge
 * {@code max_k z_k}.
 */
public final class AldrKlObjective implements TrainingObjective {

    @Config(description = "The reference regularisation strength lambda_0 (> 0), the largest lambda_i can be.")
    private double lambda = 1.0;

    @Config(description = "The weight alpha (> 1) of the pull of lambda_i towards lambda_0; lambda_i >= lambda_0 (1 - 1/alpha).")
    private double alpha = 2.0;

    @Config(description = "The margin c added to every wrong class's score, >= 0.")
    private double margin = 1.0;

    @Config(description = "Alternating closed-form steps (p, then lambda_i) per example and batch, >= 1.")
    private int lambdaSteps = 5;

    /** For OLCUT. */
    private AldrKlObjective() {}

    /**
     * Creates the loss.
     * @param lambda The reference strength {@code lambda_0 > 0}.
     * @param alpha The pull towards {@code lambda_0}, {@code > 1}.
     * @param margin The margin {@code c >= 0}.
     * @param lambdaSteps Alternating steps per example, {@code >= 1}.
     */
    public AldrKlObjective(double lambda, double alpha, double margin, int lambdaSteps) {
        this.lambda = lambda;
        this.alpha = alpha;
        this.margin = margin;
        this.lambdaSteps = lambdaSteps;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new PropertyException("", "lambda", "lambda must be positive and finite, found " + lambda);
        }
        if (!(alpha > 1) || Double.isInfinite(alpha)) {
            throw new PropertyException("", "alpha", "alpha must be finite and > 1 (so that every lambda_i stays "
                    + "positive), found " + alpha);
        }
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new PropertyException("", "margin", "margin must be finite and >= 0, found " + margin);
        }
        if (lambdaSteps < 1) {
            throw new PropertyException("", "lambdaSteps", "lambdaSteps must be at least 1, found " + lambdaSteps);
        }
    }

    /**
     * The loss of each example.
     * @param logits Scores {@code [N, K]}, {@code K >= 2}.
     * @param labels True classes {@code [N]}.
     * @return Losses {@code [N]}, differentiable in the scores.
     */
    public NDArray perExample(NDArray logits, NDArray labels) {
        NDArray index = LdrKl.labelColumn(labels);
        NDArray margins = LdrKl.margins(logits, index, margin);
        NDArray lambdas = adaptiveLambdas(margins);
        NDArray ldr = LdrKl.logMeanExp(margins.div(lambdas), index).mul(lambdas.reshape(-1));
        double weight = alpha * Math.log(logits.getShape().get(1)) / (2 * lambda);
        NDArray pull = lambdas.sub((float) lambda).square().mul((float) weight).reshape(-1);
        return ldr.sub(pull);
    }

    /**
     * Each example's adaptive {@code lambda_i}, as {@link #perExample} uses it.
     * @param logits Scores {@code [N, K]}, {@code K >= 2}.
     * @param labels True classes {@code [N]}.
     * @return {@code [N]}, without gradient.
     */
    public NDArray lambdas(NDArray logits, NDArray labels) {
        return adaptiveLambdas(LdrKl.margins(logits, LdrKl.labelColumn(labels), margin).stopGradient()).reshape(-1);
    }

    /** Alternates p = softmax(z / lambda) and lambda = lambda_0 (1 - KL(p, u) / (alpha log K)) on detached margins. */
    private NDArray adaptiveLambdas(NDArray margins) {
        long classes = margins.getShape().get(1);
        if (classes < 2) {
            throw new IllegalArgumentException("ALDR-KL needs at least 2 classes, found " + classes);
        }
        double logK = Math.log(classes);
        NDArray z = margins.stopGradient();
        NDArray lambdas = z.getManager().full(new Shape(z.getShape().get(0), 1), (float) lambda, z.getDataType());
        for (int step = 0; step < lambdaSteps; step++) {
            NDArray logP = z.div(lambdas).logSoftmax(1);
            NDArray kl = logP.exp().mul(logP).sum(new int[] {1}, true).add((float) logK);
            lambdas = kl.div((float) (alpha * logK)).neg().add(1f).mul((float) lambda)
                    .clip(lambda * (1 - 1 / alpha), lambda);
        }
        return lambdas;
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
        return "AldrKlObjective(lambda=" + lambda + ",alpha=" + alpha + ",margin=" + margin + ",lambdaSteps="
                + lambdaSteps + ")";
    }
}
