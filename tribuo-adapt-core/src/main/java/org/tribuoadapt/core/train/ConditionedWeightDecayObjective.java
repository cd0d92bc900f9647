package org.tribuoadapt.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.nn.layers.HyperWeightHead;
import org.tribuoadapt.core.nn.layers.Hypernetwork;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains a hypernetwork ({@link Hypernetwork}) to cover a whole range of L2 regularisation strengths at once, the
 * amortised-hyperparameter task of Ortiz, Guttag and Dalca ("Magnitude Invariant Parametrizations Improve
 * Hypernetwork Learning", ICLR 2024). Each batch draws {@code gamma ~ U[0, 1)}, writes it into every row's single
 * conditioning value, and minimises {@code CE + mean_i maxDecay * gamma_i * ||theta_i||^2}, where {@code theta_i} are
 * the primary weights (weights and biases) the hypernetwork predicts for row {@code i}. The loss reads
 * {@code gamma_i} from the rows, so a row keeps the strength it is conditioned on.
 */
public final class ConditionedWeightDecayObjective implements TrainingObjective {

    @Config(description = "The strongest weight decay, reached at conditioning value 1.")
    private double maxDecay = 1e-3;

    /** For OLCUT. */
    private ConditionedWeightDecayObjective() {}

    /**
     * Creates the objective.
     * @param maxDecay The strongest weight decay, positive and finite.
     */
    public ConditionedWeightDecayObjective(double maxDecay) {
        this.maxDecay = maxDecay;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(maxDecay > 0) || Double.isInfinite(maxDecay)) {
            throw new PropertyException("", "maxDecay", "maxDecay must be positive and finite, found " + maxDecay);
        }
    }

    /** @return The strongest weight decay. */
    public double maxDecay() {
        return maxDecay;
    }

    @Override
    public BatchObjective newBatchObjective(SplittableRandom runRandom) {
        SplittableRandom strengths = runRandom.split();
        return new BatchObjective() {
            @Override
            public NDArray prepareInputs(Network network, NDArray features, NDArray labels, ForwardContext context) {
                Hypernetwork hyper = hypernetwork(network);
                long n = features.getShape().get(0);
                NDArray gamma = features.getManager().full(new Shape(n, 1), (float) strengths.nextDouble());
                return NDArrays.concat(new NDList(features.get(new NDIndex(":, :{}", hyper.inputSize())), gamma), 1);
            }

            @Override
            public NDArray loss(Network network, NDArray features, NDArray labels, ForwardContext context) {
                Hypernetwork hyper = hypernetwork(network);
                List<NDArray> thetas = new ArrayList<>();
                ForwardContext observed = context.withObserver((layer, input, output) -> {
                    if (layer instanceof HyperWeightHead) {
                        thetas.add(output);
                    }
                });
                NDArray crossEntropy = BatchObjective.crossEntropy(network.forward(features, observed), labels);
                NDArray gamma = features.get(new NDIndex(":, {}", hyper.inputSize()));
                NDArray penalty = thetas.get(0).square().sum(new int[] {1}).mul(gamma).mean();
                return crossEntropy.add(TapeConstants.times(penalty, maxDecay));
            }
        };
    }

    private static Hypernetwork hypernetwork(Network network) {
        Layer root = network.root();
        if (!(root instanceof Hypernetwork hyper) || hyper.conditionSize() != 1) {
            throw new IllegalStateException("ConditionedWeightDecayObjective needs a hypernetwork with one conditioning "
                    + "value (a HypernetworkSpec with conditionSize 1), found " + root.describe());
        }
        return hyper;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TrainingObjective");
    }

    @Override
    public String toString() {
        return "ConditionedWeightDecayObjective(maxDecay=" + maxDecay + ")";
    }
}
