package org.tribuoadapt.robust.adversarial;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.SeededTrainer;
import org.tribuoadapt.core.train.TrainerInvocations;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.core.train.TrainingPlan;
import org.tribuoadapt.robust.attack.GradientAttack;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Adversarial training of a network classifier as a Tribuo {@link Trainer}: PGD adversarial training (Madry et al.
 * 2018, equation 2), the min-max problem {@code min_theta E max_{||delta|| <= eps} L(theta, x + delta, y)} whose inner
 * maximisation is the configured attack, or TRADES (Zhang et al. 2019, equation 5). Each minibatch is attacked
 * against the current network, in inference mode, before the optimiser step; the core {@link TrainingLoop} does the
 * rest. The result is an ordinary {@link NetworkModel} whose provenance records the attack's settings.
 * <p>
 * The seed and the invocation count fix the initial weights, the batch order and the attack's random starts.
 */
public final class AdversarialTrainer extends SeededTrainer<NetworkModel> {

    @Config(mandatory = true, description = "The network architecture.")
    private NetworkSpec network;

    @Config(mandatory = true, description = "The optimiser.")
    private OptimiserFactory optimiser;

    @Config(mandatory = true, description = "The attack that crafts the training examples (the inner maximisation).")
    private GradientAttack attack;

    @Config(description = "PGD_AT (Madry et al. 2018) or TRADES (Zhang et al. 2019).")
    private AdversarialMethod method = AdversarialMethod.PGD_AT;

    @Config(description = "TRADES' weight beta of the KL robustness term.")
    private double tradesBeta = 6.0;

    @Config(description = "Number of passes over the training data.")
    private int epochs = 10;

    @Config(description = "Minibatch size.")
    private int batchSize = 64;

    @Config(description = "Largest global gradient L2 norm; 0 disables clipping.")
    private double gradientClipNorm = 0.0;

    private transient TrainingListener listener = TrainingListener.NONE;

    /** For OLCUT. */
    private AdversarialTrainer() {}

    /**
     * Creates a PGD adversarial trainer.
     * @param network The architecture.
     * @param optimiser The optimiser.
     * @param attack The training attack, usually a {@link org.tribuoadapt.robust.attack.pgd.PGDAttack}.
     * @param epochs The number of epochs.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     */
    public AdversarialTrainer(NetworkSpec network, OptimiserFactory optimiser, GradientAttack attack, int epochs,
                              int batchSize, long seed) {
        this(network, optimiser, attack, AdversarialMethod.PGD_AT, 6.0, epochs, batchSize, seed);
    }

    /**
     * Creates an adversarial trainer.
     * @param network The architecture.
     * @param optimiser The optimiser.
     * @param attack The training attack.
     * @param method PGD-AT or TRADES.
     * @param tradesBeta TRADES' beta (ignored by PGD-AT).
     * @param epochs The number of epochs.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     */
    public AdversarialTrainer(NetworkSpec network, OptimiserFactory optimiser, GradientAttack attack,
                              AdversarialMethod method, double tradesBeta, int epochs, int batchSize, long seed) {
        this.network = network;
        this.optimiser = optimiser;
        this.attack = attack;
        this.method = method;
        this.tradesBeta = tradesBeta;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        postConfig();
    }

    @Override
    public synchronized void postConfig() {
        if (epochs < 1) {
            throw new PropertyException("", "epochs", "epochs must be at least 1, found " + epochs);
        }
        if (batchSize < 2) {
            throw new PropertyException("", "batchSize", "batchSize must be at least 2 (BatchNorm), found " + batchSize);
        }
        if (!(tradesBeta >= 0) || Double.isInfinite(tradesBeta)) {
            throw new PropertyException("", "tradesBeta", "tradesBeta must be finite and >= 0, found " + tradesBeta);
        }
        if (!(gradientClipNorm >= 0) || Double.isInfinite(gradientClipNorm)) {
            throw new PropertyException("", "gradientClipNorm", "gradientClipNorm must be finite and >= 0, found "
                    + gradientClipNorm);
        }
        super.postConfig();
    }

    /**
     * Sets the progress listener for later runs (it is not part of the configuration).
     * @param listener The listener.
     */
    public void setListener(TrainingListener listener) {
        this.listener = listener == null ? TrainingListener.NONE : listener;
    }

    /**
     * The attack used for training.
     * @return The attack.
     */
    public GradientAttack attack() {
        return attack;
    }

    @Override
    public NetworkModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        if (examples.size() == 0) {
            throw new IllegalArgumentException("the training dataset is empty");
        }
        ImmutableFeatureMap featureMap = examples.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputInfo = examples.getOutputIDInfo();
        TensorDataset data = TensorDataset.from(examples, new FeatureTensorizer(featureMap, network.inputShape()));
        TrainerInvocations.Invocation<TrainerProvenance> invocation = startRun(invocationCount);
        SplittableRandom localRNG = invocation.rng();
        TrainerProvenance trainerProvenance = invocation.provenance();
        long initSeed = localRNG.nextLong();
        DjlRuntime.seedNativeRandom(localRNG.nextLong());
        AdversarialObjective objective = new AdversarialObjective(attack, method, tradesBeta, localRNG.split());
        try (Network net = network.build(outputInfo.size(), initSeed)) {
            TrainingPlan plan = new TrainingPlan(net.countWeights(true), net.countWeights(false), data.size(),
                    featureMap.size(), batchSize, epochs);
            TrainingHistory history;
            try (NetworkOptimiser opt = optimiser.create(net.trainableParameters(), plan)) {
                history = new TrainingLoop(epochs, batchSize, gradientClipNorm, 1)
                        .fit(net, opt, data, null, objective, localRNG, listener);
            }
            byte[] weights = NetworkModel.weightsOf(net);
            Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
            instance.putAll(NetworkProvenance.describeWeights(weights));
            instance.putAll(NetworkProvenance.describeTraining(history));
            ModelProvenance provenance = new ModelProvenance(NetworkModel.class.getName(), OffsetDateTime.now(),
                    examples.getProvenance(), trainerProvenance, instance);
            return new NetworkModel("adversarial-network-model", provenance, featureMap, outputInfo, network, weights, history);
        }
    }

    @Override
    public String toString() {
        return "AdversarialTrainer(network=" + network + ",optimiser=" + optimiser + ",attack=" + attack + ",method="
                + method + (method == AdversarialMethod.TRADES ? ",tradesBeta=" + tradesBeta : "") + ",epochs=" + epochs
                + ",batchSize=" + batchSize + ",seed=" + seed + ",gradientClipNorm=" + gradientClipNorm + ")";
    }
}
