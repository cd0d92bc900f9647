package org.tribuoadapt.robust.adversarial;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.robust.attack.AttackGoal;
import org.tribuoadapt.robust.attack.AttackLoss;
import org.tribuoadapt.robust.attack.GradientAttack;
import org.tribuoadapt.robust.attack.NetworkClassifier;

import java.util.SplittableRandom;

/**
 * The minibatch objective of adversarial training. {@link #prepareInputs} crafts the adversarial examples against
 * the network as it currently is (in inference mode, with its parameters frozen so that crafting leaves no gradient
 * on them); {@link #loss} is then recorded on them in training mode.
 */
final class AdversarialBatchObjective implements BatchObjective {

    /** The standard deviation of TRADES' random start around the clean input (Zhang et al. 2019, reference code). */
    private static final double TRADES_START_SCALE = 0.001;

    private final GradientAttack attack;
    private final AdversarialMethod method;
    private final double beta;
    private final SplittableRandom rng;

    /**
     * Creates the objective.
     * @param attack The attack that crafts the training examples.
     * @param method PGD-AT or TRADES.
     * @param beta TRADES' weight of the robustness term.
     * @param rng The random stream of the attack's starts.
     */
    AdversarialBatchObjective(GradientAttack attack, AdversarialMethod method, double beta, SplittableRandom rng) {
        this.attack = attack;
        this.method = method;
        this.beta = beta;
        this.rng = rng;
    }

    @Override
    public NDArray prepareInputs(Network network, NDArray features, NDArray labels, ForwardContext context) {
        try (NetworkClassifier classifier = NetworkClassifier.borrow(network)) {
            if (method == AdversarialMethod.PGD_AT) {
                return attack.perturb(classifier, features, labels, AttackLoss.CROSS_ENTROPY, AttackGoal.MAXIMISE_LOSS, rng);
            }
            NDArray clean;
            try (GradientMode off = GradientMode.disabled()) {
                clean = classifier.logits(features).softmax(1);
            }
            NDArray adversarial = attack.perturbFrom(classifier, features, tradesStart(features), labels,
                    AttackLoss.klDivergenceFrom(clean), AttackGoal.MAXIMISE_LOSS);
            return features.concat(adversarial, 0);
        }
    }

    /**
     * TRADES' start of the inner maximisation, {@code x + 0.001 N(0, 1)} (the reference implementation's
     * {@code trades_loss}), drawn from the objective's own stream so that it does not depend on the native library.
     */
    private NDArray tradesStart(NDArray features) {
        float[] noise = new float[Math.toIntExact(features.size())];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) (TRADES_START_SCALE * Initializers.gaussian(rng));
        }
        try (GradientMode off = GradientMode.disabled()) {
            return features.add(features.getManager().create(noise, features.getShape()));
        }
    }

    @Override
    public NDArray loss(Network network, NDArray features, NDArray labels, ForwardContext context) {
        if (method == AdversarialMethod.PGD_AT) {
            return BatchObjective.crossEntropy(network.forward(features, context), labels);
        }
        long n = labels.getShape().get(0);
        NDArray cleanLogits = network.forward(features.get(new NDIndex("0:{}", n)), context);
        NDArray adversarialLogits = network.forward(features.get(new NDIndex("{}:", n)), context);
        NDArray cleanLog = cleanLogits.logSoftmax(1);
        NDArray divergence = cleanLog.exp().mul(cleanLog.sub(adversarialLogits.logSoftmax(1))).sum(new int[] {1}).mean();
        return BatchObjective.crossEntropy(cleanLogits, labels).add(TapeConstants.times(divergence, beta));
    }
}
