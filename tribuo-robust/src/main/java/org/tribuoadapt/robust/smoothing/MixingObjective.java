package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.robust.attack.AttackGoal;
import org.tribuoadapt.robust.attack.AttackLoss;
import org.tribuoadapt.robust.attack.FrozenParameters;
import org.tribuoadapt.robust.attack.GradientAttack;
import org.tribuoadapt.core.nn.TapeConstants;

import java.util.SplittableRandom;

/**
 * The mixing network's training objective (Bai et al. 2024, section 4.2). Each minibatch holds the clean inputs,
 * labelled 0 (use the standard model), and the same inputs attacked through the whole composite model with the
 * mixing network as it currently is, labelled 1 (use the robust model). The loss of an example is
 * {@code c_bce * BCE(gamma, label) + c_ce * CE + c_prod * BCE * CE}, where BCE acts on the mixing logit gamma and CE
 * on the mixed prediction; clean examples are weighted by {@code cleanWeight}.
 */
final class MixingObjective implements BatchObjective {

    private final MixedNetworks composite;
    private final GradientAttack attack;
    private final MixingLossWeights weights;
    private final SplittableRandom rng;

    /**
     * Creates the objective.
     * @param composite The composite classifier, whose mixing network is the one being trained.
     * @param attack The attack that crafts the examples labelled 1.
     * @param weights The loss weights.
     * @param rng The random stream of the attack.
     */
    MixingObjective(MixedNetworks composite, GradientAttack attack, MixingLossWeights weights, SplittableRandom rng) {
        this.composite = composite;
        this.attack = attack;
        this.weights = weights;
        this.rng = rng;
    }

    @Override
    public NDArray prepareInputs(Network mixer, NDArray features, NDArray labels, ForwardContext context) {
        NDArray adversarial;
        try (FrozenParameters frozen = new FrozenParameters(mixer)) {
            adversarial = attack.perturb(composite, features, labels, AttackLoss.CROSS_ENTROPY, AttackGoal.MAXIMISE_LOSS, rng);
        }
        return features.concat(adversarial, 0);
    }

    @Override
    public NDArray loss(Network mixer, NDArray inputs, NDArray labels, ForwardContext context) {
        int n = Math.toIntExact(labels.getShape().get(0));
        MixedNetworks.Parts parts = composite.parts(inputs, context.isTraining());
        NDArray logProbabilities = composite.mix(parts);
        NDArray twice = labels.concat(labels, 0).toType(DataType.INT64, false);
        NDArray ce = logProbabilities.gather(twice.reshape(-1, 1), 1).reshape(-1).neg();
        float[] target = new float[2 * n];
        float[] exampleWeight = new float[2 * n];
        for (int i = 0; i < 2 * n; i++) {
            target[i] = i < n ? 0f : 1f;
            exampleWeight[i] = i < n ? (float) weights.cleanWeight() : 1f;
        }
        NDArray gamma = parts.gamma();
        NDArray bce = ProbabilityMixing.softplus(gamma).sub(gamma.mul(inputs.getManager().create(target, new Shape(2 * n))));
        NDArray perExample = TapeConstants.times(bce, weights.bce()).add(TapeConstants.times(ce, weights.ce()))
                .add(TapeConstants.times(bce.mul(ce), weights.product()));
        return perExample.mul(inputs.getManager().create(exampleWeight, new Shape(2 * n))).mean();
    }
}
