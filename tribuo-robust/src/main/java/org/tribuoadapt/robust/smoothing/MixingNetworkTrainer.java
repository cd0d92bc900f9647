package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.tribuo.Dataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.SeededTrainer;
import org.tribuoadapt.core.train.TrainerInvocations;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.robust.attack.BudgetedGradientAttack;
import org.tribuoadapt.robust.attack.GradientAttack;
import org.tribuoadapt.robust.attack.apgdt.APGDTargetedAttack;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.tribuoadapt.core.model.NetworkFit;

/**
 * Trains the mixing network of an adaptive-smoothing classifier (Bai et al. 2024, section 4.2) as a Tribuo
 * {@link Trainer}: both base networks stay frozen; each minibatch adds to its clean inputs (label 0) the same inputs
 * attacked through the whole composite model (label 1), and the mixing network learns to output a large alpha on
 * the attacked ones, through the loss {@code c_bce * BCE(gamma) + c_ce * CE + c_prod * BCE * CE}. Training runs
 * through the core {@link TrainingLoop}.
 * <p>
 * Two training attacks are offered. By default each clean input gets one copy attacked by {@code attack} (for
 * example PGD) on the cross-entropy. With a {@code targetedAttack} the trainer follows the paper's APGD training (the
 * reference code's {@code randomized_apgd_attack}): an untargeted copy by {@code attack} (APGD-CE in the paper) plus
 * one APGD-T copy per target class (the 2nd, 3rd, ... most likely class under the composite model; 9 in the paper),
 * for a share of the batch chosen so that attacked and clean examples are equally many (see {@link MixingObjective}).
 * The reference also draws each copy's budget and iteration count at random and mixes a BCE term on gamma into the
 * attack's loss; here the copies use the attacks' fixed budget and iterations and their plain losses (cross-entropy
 * and targeted DLR).
 * <p>
 * The bases are read from Tribuo model files named in the configuration (their SHA-256 goes into the run provenance)
 * or given to the Java constructor; the model's provenance holds both bases' provenance and the attack's settings.
 */
public final class MixingNetworkTrainer extends SeededTrainer<MixingNetworkModel> {

    /** The default weight of the binary cross-entropy on gamma (REFERENCES: {@code 1.5 BCE + 0.3 BCE * CE}). */
    public static final double DEFAULT_BCE_WEIGHT = 1.5;
    /** The default weight of the mixed prediction's cross-entropy. */
    public static final double DEFAULT_CE_WEIGHT = 0.0;
    /** The default weight of the product of the two cross-entropies. */
    public static final double DEFAULT_PRODUCT_WEIGHT = 0.3;

    @Config(description = "Tribuo model file of the standard (accurate) base NetworkModel.")
    private Path standardModelPath;

    @Config(description = "Tribuo model file of the robust base NetworkModel.")
    private Path robustModelPath;

    @Config(mandatory = true, description = "The mixing network's architecture.")
    private MixingNetworkSpec mixingNetwork;

    @Config(mandatory = true, description = "The attack, through the whole composite model, that crafts the examples labelled 1.")
    private GradientAttack attack;

    @Config(description = "APGD-T whose target classes give each attacked input its targeted copies, next to the "
            + "untargeted copy by attack (the paper's APGD training, with attack an APGD-CE); unset for one copy by attack.")
    private APGDTargetedAttack targetedAttack;

    @Config(mandatory = true, description = "The optimiser of the mixing network.")
    private OptimiserFactory optimiser;

    @Config(description = "Number of passes over the training data.")
    private int epochs = 3;

    @Config(description = "Clean examples per minibatch, each batch joined by as many attacked examples.")
    private int batchSize = 64;

    @Config(description = "The standard model's logit scale s_std.")
    private double standardTemperature = 1.0;

    @Config(description = "The robust model's logit scale s_rob.")
    private double robustTemperature = 1.0;

    @Config(description = "Weight of the binary cross-entropy on gamma.")
    private double bceWeight = DEFAULT_BCE_WEIGHT;

    @Config(description = "Weight of the mixed prediction's cross-entropy.")
    private double ceWeight = DEFAULT_CE_WEIGHT;

    @Config(description = "Weight of the product of the two cross-entropies.")
    private double productWeight = DEFAULT_PRODUCT_WEIGHT;

    @Config(description = "Weight of a clean example relative to an attacked one.")
    private double cleanWeight = 1.0;

    private transient NetworkModel standardModel;
    private transient NetworkModel robustModel;
    private transient TrainingListener listener = TrainingListener.NONE;

    /** For OLCUT. */
    private MixingNetworkTrainer() {}

    /**
     * Creates a trainer with the loss weights of REFERENCES ({@code 1.5 BCE + 0.3 BCE * CE}) for bases held in memory.
     * @param standardModel The standard network model.
     * @param robustModel The robust network model.
     * @param mixingNetwork The mixing network's architecture.
     * @param attack The attack through the composite model.
     * @param optimiser The optimiser.
     * @param epochs The number of epochs.
     * @param batchSize The clean examples per minibatch.
     * @param seed The seed.
     */
    public MixingNetworkTrainer(NetworkModel standardModel, NetworkModel robustModel, MixingNetworkSpec mixingNetwork,
                                GradientAttack attack, OptimiserFactory optimiser, int epochs, int batchSize, long seed) {
        this(mixingNetwork, attack, optimiser, epochs, batchSize, seed);
        this.standardModel = standardModel;
        this.robustModel = robustModel;
    }

    /**
     * Creates a trainer whose bases are read from Tribuo model files.
     * @param standardModelPath The standard model's file.
     * @param robustModelPath The robust model's file.
     * @param mixingNetwork The mixing network's architecture.
     * @param attack The attack through the composite model.
     * @param optimiser The optimiser.
     * @param epochs The number of epochs.
     * @param batchSize The clean examples per minibatch.
     * @param seed The seed.
     */
    public MixingNetworkTrainer(Path standardModelPath, Path robustModelPath, MixingNetworkSpec mixingNetwork,
                                GradientAttack attack, OptimiserFactory optimiser, int epochs, int batchSize, long seed) {
        this(mixingNetwork, attack, optimiser, epochs, batchSize, seed);
        this.standardModelPath = standardModelPath;
        this.robustModelPath = robustModelPath;
        postConfig();
    }

    /**
     * Creates a trainer without bases, with the loss weights of REFERENCES: a template whose {@link #forBaseFiles} or
     * {@link #forBases} copies train, as a pipeline step that supplies the bases does.
     * @param mixingNetwork The mixing network's architecture.
     * @param attack The attack through the composite model.
     * @param optimiser The optimiser.
     * @param epochs The number of epochs.
     * @param batchSize The clean examples per minibatch.
     * @param seed The seed.
     */
    public MixingNetworkTrainer(MixingNetworkSpec mixingNetwork, GradientAttack attack, OptimiserFactory optimiser,
                                int epochs, int batchSize, long seed) {
        this.mixingNetwork = mixingNetwork;
        this.attack = attack;
        this.optimiser = optimiser;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        postConfig();
    }

    /**
     * Sets the temperatures of the base models.
     * @param standard The standard model's logit scale.
     * @param robust The robust model's logit scale.
     * @return This trainer.
     */
    public MixingNetworkTrainer withTemperatures(double standard, double robust) {
        this.standardTemperature = standard;
        this.robustTemperature = robust;
        postConfig();
        return this;
    }

    /**
     * Sets the loss weights.
     * @param bce The weight of the BCE on gamma.
     * @param ce The weight of the mixed cross-entropy.
     * @param product The weight of their product.
     * @param clean The weight of clean examples.
     * @return This trainer.
     */
    public MixingNetworkTrainer withLossWeights(double bce, double ce, double product, double clean) {
        this.bceWeight = bce;
        this.ceWeight = ce;
        this.productWeight = product;
        this.cleanWeight = clean;
        postConfig();
        return this;
    }

    /**
     * Trains on the paper's APGD copies: next to the untargeted copy by the configured attack (APGD-CE in the paper),
     * each attacked input gets one copy per target class of {@code targeted}, and only as many inputs are attacked as
     * keep attacked and clean examples equally many.
     * @param targeted The targeted attack, of the same norm and budget as the configured attack; null for one
     * untargeted copy of every input.
     * @return This trainer.
     */
    public MixingNetworkTrainer withTargetedCopies(APGDTargetedAttack targeted) {
        this.targetedAttack = targeted;
        postConfig();
        return this;
    }

    @Override
    public synchronized void postConfig() {
        if (epochs < 1) {
            throw new PropertyException("", "epochs", "epochs must be at least 1, found " + epochs);
        }
        if (batchSize < 1) {
            throw new PropertyException("", "batchSize", "batchSize must be at least 1, found " + batchSize);
        }
        for (Map.Entry<String, Double> e : Map.of("standardTemperature", standardTemperature,
                "robustTemperature", robustTemperature).entrySet()) {
            if (!(e.getValue() > 0) || Double.isInfinite(e.getValue())) {
                throw new PropertyException("", e.getKey(), e.getKey() + " must be positive and finite, found " + e.getValue());
            }
        }
        for (Map.Entry<String, Double> e : Map.of("bceWeight", bceWeight, "ceWeight", ceWeight,
                "productWeight", productWeight, "cleanWeight", cleanWeight).entrySet()) {
            if (!(e.getValue() >= 0) || Double.isInfinite(e.getValue())) {
                throw new PropertyException("", e.getKey(), e.getKey() + " must be finite and >= 0, found " + e.getValue());
            }
        }
        if (bceWeight + ceWeight + productWeight == 0) {
            throw new PropertyException("", "bceWeight", "at least one of bceWeight, ceWeight and productWeight must be positive");
        }
        if (targetedAttack != null && attack instanceof BudgetedGradientAttack untargeted
                && (untargeted.norm() != targetedAttack.norm() || untargeted.epsilon() != targetedAttack.epsilon())) {
            throw new PropertyException("", "targetedAttack", "the targeted and untargeted training attacks must share"
                    + " norm and budget, found " + targetedAttack.norm() + " " + targetedAttack.epsilon() + " and "
                    + untargeted.norm() + " " + untargeted.epsilon());
        }
        if ((standardModelPath == null) != (robustModelPath == null)) {
            throw new PropertyException("", "standardModelPath",
                    "set both standardModelPath and robustModelPath, or neither (and use forBaseFiles or forBases)");
        }
        super.postConfig();
    }

    /**
     * A copy of this trainer, with the same configuration, that mixes two models held in memory instead of the
     * configured model files. The copy's models cannot be retrained from their provenance alone; use
     * {@link #forBaseFiles} for that.
     * @param standard The standard network model.
     * @param robust The robust network model.
     * @return The new trainer.
     */
    public MixingNetworkTrainer forBases(NetworkModel standard, NetworkModel robust) {
        return configuredLike(new MixingNetworkTrainer(standard, robust, mixingNetwork, attack, optimiser, epochs,
                batchSize, seed));
    }

    /**
     * A copy of this trainer, with the same configuration, that reads its bases from two Tribuo model files. A
     * pipeline step uses it to mix the models that earlier steps trained and saved: the copy's configuration, and so
     * its models' provenance, names the files (and the run provenance their SHA-256), so the models can be retrained
     * from provenance alone.
     * @param standardModelPath The standard network model's file.
     * @param robustModelPath The robust network model's file.
     * @return The new trainer.
     */
    public MixingNetworkTrainer forBaseFiles(Path standardModelPath, Path robustModelPath) {
        return configuredLike(new MixingNetworkTrainer(standardModelPath, robustModelPath, mixingNetwork, attack,
                optimiser, epochs, batchSize, seed));
    }

    private MixingNetworkTrainer configuredLike(MixingNetworkTrainer copy) {
        copy.withTemperatures(standardTemperature, robustTemperature)
                .withLossWeights(bceWeight, ceWeight, productWeight, cleanWeight)
                .withTargetedCopies(targetedAttack)
                .setListener(listener);
        return copy;
    }

    /**
     * Sets the progress listener for later runs (it is not part of the configuration).
     * @param listener The listener.
     */
    public void setListener(TrainingListener listener) {
        this.listener = listener == null ? TrainingListener.NONE : listener;
    }

    @Override
    public MixingNetworkModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        if (standardModel == null && standardModelPath == null) {
            throw new IllegalStateException("no base models: set standardModelPath and robustModelPath, or call forBaseFiles or forBases");
        }
        Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
        NetworkModel standard = standardModel != null ? standardModel
                : BaseModels.loadNetwork(standardModelPath, BaseModels.STANDARD, instance);
        NetworkModel robust = robustModel != null ? robustModel
                : BaseModels.loadNetwork(robustModelPath, BaseModels.ROBUST, instance);
        BaseModels.checkSameLabels(standard, robust);
        BaseModels.checkSameInputs(standard, robust);
        BaseModels.checkDatasetLabels(examples, standard);
        if (targetedAttack != null && standard.getOutputIDInfo().size() < 4) {
            throw new IllegalArgumentException("the targeted training copies (APGD-T's DLR loss) need at least 4 classes,"
                    + " but the base models predict " + standard.getOutputIDInfo().size());
        }
        Shape[] featureShapes = MixedNetworks.featureShapes(mixingNetwork, standard, robust);
        TensorDataset data = TensorDataset.from(examples, new org.tribuoadapt.core.bridge.FeatureTensorizer(
                standard.getFeatureIDMap(), standard.spec().inputShape()), standard.getOutputIDInfo());
        TrainerInvocations.Invocation<TrainerProvenance> invocation = startRun(invocationCount);
        SplittableRandom localRNG = invocation.rng();
        TrainerProvenance trainerProvenance = invocation.provenance();
        long initSeed = localRNG.nextLong();
        DjlRuntime.seedNativeRandom(localRNG.nextLong());
        NetworkFit.Result fit;
        try (Network mixer = mixingNetwork.build(featureShapes[0], featureShapes[1], initSeed);
             MixedNetworks composite = MixedNetworks.mixing(standard, robust, mixingNetwork, mixer, false,
                     standardTemperature, robustTemperature)) {
            MixingObjective objective = new MixingObjective(composite, attack, targetedAttack,
                    new MixingLossWeights(bceWeight, ceWeight, productWeight, cleanWeight), localRNG.split());
            fit = new NetworkFit(new TrainingLoop(epochs, batchSize, 0.0, 1)).fit(mixer, optimiser, data, null,
                    objective, localRNG, listener);
        }
        instance.putAll(BaseModels.describe(standard, robust));
        instance.putAll(fit.provenance());
        ModelProvenance provenance = new ModelProvenance(MixingNetworkModel.class.getName(), OffsetDateTime.now(),
                examples.getProvenance(), trainerProvenance, instance);
        return new MixingNetworkModel("mixing-network-model", provenance, standard.getFeatureIDMap(),
                standard.getOutputIDInfo(), standard, robust, mixingNetwork, featureShapes[0], featureShapes[1],
                fit.weights(), standardTemperature, robustTemperature);
    }

    @Override
    public String toString() {
        return "MixingNetworkTrainer(mixingNetwork=" + mixingNetwork + ",attack=" + attack
                + (targetedAttack == null ? "" : ",targetedAttack=" + targetedAttack) + ",optimiser=" + optimiser
                + ",epochs=" + epochs + ",batchSize=" + batchSize + ",seed=" + seed + ",temperatures=[" + standardTemperature
                + "," + robustTemperature + "],loss=[" + bceWeight + "," + ceWeight + "," + productWeight + "],cleanWeight="
                + cleanWeight + ")";
    }
}
