package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.robust.attack.AttackGoal;
import org.tribuoadapt.robust.attack.AttackLoss;
import org.tribuoadapt.robust.attack.FrozenParameters;
import org.tribuoadapt.robust.attack.GradientAttack;
import org.tribuoadapt.robust.attack.apgdt.APGDTargetedAttack;
import org.tribuoadapt.core.nn.TapeConstants;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The mixing network's training objective (Bai et al. 2024, section 4.2). Each minibatch holds the clean inputs,
 * labelled 0 (use the standard model), and attacked copies crafted through the whole composite model with the mixing
 * network as it currently is, labelled 1 (use the robust model). The loss of an example is
 * {@code c_bce * BCE(gamma, label) + c_ce * CE + c_prod * BCE * CE}, where BCE acts on the mixing logit gamma and CE
 * on the mixed prediction; clean examples are weighted by {@code cleanWeight}.
 * <p>
 * Without a targeted attack every clean input gets one copy attacked by the configured attack on the cross-entropy.
 * With one, the batch is composed as in the reference code's APGD training: the first {@code m = ceil(n / (K + 1))}
 * of the {@code n} clean inputs get an untargeted copy (the configured attack, APGD-CE in the paper) and {@code K}
 * copies targeted by APGD-T at their 2nd, 3rd, ... most likely classes under the composite model, so the batch holds
 * as many attacked examples as clean ones (the reference draws {@code K} extra clean batches for that balance, which
 * also keeps the batch statistics of the {@link MixingNetworkSpec.Variant#PAPER} variant's normalisation balanced).
 */
final class MixingObjective implements BatchObjective {

    private final MixedNetworks composite;
    private final GradientAttack attack;
    private final APGDTargetedAttack targetedAttack;
    private final MixingLossWeights weights;
    private final SplittableRandom rng;

    /**
     * Creates the objective.
     * @param composite The composite classifier, whose mixing network is the one being trained.
     * @param attack The attack that crafts the untargeted copies.
     * @param targetedAttack The attack that crafts the targeted copies, or null for none.
     * @param weights The loss weights.
     * @param rng The random stream of the attacks.
     */
    MixingObjective(MixedNetworks composite, GradientAttack attack, APGDTargetedAttack targetedAttack,
                    MixingLossWeights weights, SplittableRandom rng) {
        this.composite = composite;
        this.attack = attack;
        this.targetedAttack = targetedAttack;
        this.weights = weights;
        this.rng = rng;
    }

    /**
     * How many of a batch's clean inputs get attacked copies.
     * @param batch The number of clean inputs {@code n}.
     * @param copies The attacked copies of each attacked input, {@code K + 1}.
     * @return {@code ceil(n / copies)}.
     */
    static int attackedInputs(int batch, int copies) {
        return (batch + copies - 1) / copies;
    }

    /**
     * The clean inputs followed by their attacked copies: the untargeted copies of the attacked inputs, then their
     * copies targeted at the 2nd, 3rd, ... most likely class, one block per target.
     */
    @Override
    public NDArray prepareInputs(Network mixer, NDArray features, NDArray labels, ForwardContext context) {
        List<NDArray> blocks = new ArrayList<>();
        blocks.add(features);
        try (FrozenParameters frozen = new FrozenParameters(mixer)) {
            if (targetedAttack == null) {
                blocks.add(attack.perturb(composite, features, labels, AttackLoss.CROSS_ENTROPY,
                        AttackGoal.MAXIMISE_LOSS, rng));
            } else {
                NDArray targetClasses = targetedAttack.targetClasses(composite, features);
                int targets = Math.toIntExact(targetClasses.getShape().get(1));
                int n = Math.toIntExact(labels.getShape().get(0));
                NDIndex attacked = new NDIndex("0:{}", attackedInputs(n, targets + 1));
                NDArray inputs = features.get(attacked);
                NDArray trueLabels = labels.get(attacked);
                blocks.add(attack.perturb(composite, inputs, trueLabels, AttackLoss.CROSS_ENTROPY,
                        AttackGoal.MAXIMISE_LOSS, rng));
                for (int k = 0; k < targets; k++) {
                    NDArray target = targetClasses.get(attacked).get(new NDIndex(":, {}", k));
                    blocks.add(targetedAttack.perturbTowards(composite, inputs, trueLabels, target, rng));
                }
            }
        }
        NDArray all = blocks.get(0);
        for (NDArray block : blocks.subList(1, blocks.size())) {
            all = all.concat(block, 0);
        }
        return all;
    }

    @Override
    public NDArray loss(Network mixer, NDArray inputs, NDArray labels, ForwardContext context) {
        int n = Math.toIntExact(labels.getShape().get(0));
        int total = Math.toIntExact(inputs.getShape().get(0));
        MixedNetworks.Parts parts = composite.parts(inputs, context.isTraining());
        NDArray logProbabilities = composite.mix(parts);
        int copies = targetedAttack == null ? 1 : targetedAttack.targetCount(logProbabilities.getShape().get(1)) + 1;
        NDArray attackedLabels = labels.get(new NDIndex("0:{}", attackedInputs(n, copies)));
        NDArray allLabels = labels;
        for (int c = 0; c < copies; c++) {
            allLabels = allLabels.concat(attackedLabels, 0);
        }
        if (allLabels.getShape().get(0) != total) {
            throw new IllegalStateException("the batch holds " + total + " inputs, expected " + n + " clean ones and "
                    + copies + " attacked copies of " + attackedLabels.getShape().get(0));
        }
        NDArray ce = logProbabilities.gather(allLabels.toType(DataType.INT64, false).reshape(-1, 1), 1).reshape(-1).neg();
        float[] target = new float[total];
        float[] exampleWeight = new float[total];
        for (int i = 0; i < total; i++) {
            target[i] = i < n ? 0f : 1f;
            exampleWeight[i] = i < n ? (float) weights.cleanWeight() : 1f;
        }
        NDArray gamma = parts.gamma();
        NDArray bce = ProbabilityMixing.softplus(gamma).sub(gamma.mul(inputs.getManager().create(target, new Shape(total))));
        NDArray perExample = TapeConstants.times(bce, weights.bce()).add(TapeConstants.times(ce, weights.ce()))
                .add(TapeConstants.times(bce.mul(ce), weights.product()));
        return perExample.mul(inputs.getManager().create(exampleWeight, new Shape(total))).mean();
    }
}
