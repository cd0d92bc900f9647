package org.tribuoadapt.core.model;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.LearningRateSchedule;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.SeededTrainer;
import org.tribuoadapt.core.train.TrainerInvocations;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tribuoadapt.core.train.CrossEntropyObjective;
import org.tribuoadapt.core.train.TrainingObjective;

/**
 * Trains a neural network classifier on DJL's PyTorch engine as a Tribuo {@link Trainer}: from scratch, or by full
 * fine-tuning from existing weights (a safetensors file or a {@link NetworkModel}), with minibatches, a pluggable
 * {@link OptimiserFactory}, gradient clipping, early stopping on a validation split and an optional
 * {@link LearningRateSchedule} driven by the validation figures.
 * <p>
 * The seed and the invocation count fix the initial weights, the validation split, the batch order and dropout, so
 * the same configuration and thread count give bit-identical weights.
 */
public final class NetworkTrainer extends SeededTrainer<NetworkModel> {

    @Config(mandatory = true, description = "The network architecture.")
    private NetworkSpec network;

    @Config(mandatory = true, description = "The optimiser.")
    private OptimiserFactory optimiser;

    @Config(description = "Maximum number of passes over the training data.")
    private int epochs = 10;

    @Config(description = "Minibatch size.")
    private int batchSize = 64;

    @Config(description = "Largest global gradient L2 norm; 0 disables clipping.")
    private double gradientClipNorm = 0.0;

    @Config(description = "Share of the training data held out for early stopping; 0 disables validation.")
    private double validationFraction = 0.0;

    @Config(description = "Epochs without a lower validation loss before stopping.")
    private int patience = 3;

    @Config(description = "Safetensors file with initial weights (PyTorch names) for full fine-tuning.")
    private Path initialWeights;

    @Config(description = "Layers whose initial weights are drawn afresh instead of loaded, e.g. a new head.")
    private List<String> reinitialisedLayers = new ArrayList<>();

    @Config(description = "What training minimises: cross-entropy (the default) or another module's objective, such "
            + "as tribuo-robust's adversarial training.")
    private TrainingObjective objective = new CrossEntropyObjective();

    @Config(description = "Sets the learning rate after each epoch from the validation figures (for example "
            + "tribuo-robust's AccelAT); needs validationFraction > 0 and an optimiser whose rate can be set. None by default.")
    private LearningRateSchedule learningRateSchedule;

    private transient TrainingListener listener = TrainingListener.NONE;

    /** For OLCUT. */
    private NetworkTrainer() {}

    /**
     * Creates a trainer without validation, clipping or initial weights.
     * @param network The architecture.
     * @param optimiser The optimiser.
     * @param epochs The number of epochs.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     */
    public NetworkTrainer(NetworkSpec network, OptimiserFactory optimiser, int epochs, int batchSize, long seed) {
        this(network, optimiser, epochs, batchSize, seed, 0.0, 0.0, 3);
    }

    /**
     * Creates a trainer.
     * @param network The architecture.
     * @param optimiser The optimiser.
     * @param epochs The maximum number of epochs.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     * @param gradientClipNorm The largest global gradient norm, 0 for none.
     * @param validationFraction The held-out share for early stopping, 0 for none.
     * @param patience Epochs without improvement before stopping.
     */
    public NetworkTrainer(NetworkSpec network, OptimiserFactory optimiser, int epochs, int batchSize, long seed,
                          double gradientClipNorm, double validationFraction, int patience) {
        this.network = network;
        this.optimiser = optimiser;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        this.gradientClipNorm = gradientClipNorm;
        this.validationFraction = validationFraction;
        this.patience = patience;
        postConfig();
    }

    /**
     * Trains with another objective than cross-entropy (for example adversarial training).
     * @param objective The objective.
     * @return This trainer.
     */
    public NetworkTrainer withObjective(TrainingObjective objective) {
        this.objective = objective;
        postConfig();
        return this;
    }

    /**
     * Sets the learning rate after each epoch from the validation figures; the model's run provenance then records
     * every change ({@link NetworkProvenance#LEARNING_RATE_CHANGES}).
     * @param schedule The schedule, or null for the optimiser's own rate.
     * @return This trainer.
     */
    public NetworkTrainer withLearningRateSchedule(LearningRateSchedule schedule) {
        this.learningRateSchedule = schedule;
        postConfig();
        return this;
    }

    /**
     * The objective this trainer minimises.
     * @return The objective.
     */
    public TrainingObjective objective() {
        return objective;
    }

    /**
     * Starts full fine-tuning from a safetensors file instead of random weights.
     * @param weights The file, in PyTorch names.
     * @param reinitialised Layers to initialise afresh instead (for example {@code head} when the classes change).
     * @return This trainer.
     */
    public NetworkTrainer withInitialWeights(Path weights, List<String> reinitialised) {
        this.initialWeights = weights;
        this.reinitialisedLayers = new ArrayList<>(reinitialised);
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
        if (!(gradientClipNorm >= 0) || Double.isInfinite(gradientClipNorm)) {
            throw new PropertyException("", "gradientClipNorm", "gradientClipNorm must be finite and >= 0, found " + gradientClipNorm);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new PropertyException("", "validationFraction", "validationFraction must be in [0, 1), found " + validationFraction);
        }
        if (patience < 1) {
            throw new PropertyException("", "patience", "patience must be at least 1, found " + patience);
        }
        if (learningRateSchedule != null && validationFraction == 0) {
            throw new PropertyException("", "learningRateSchedule", "a learning-rate schedule reads the validation "
                    + "figures, so it needs validationFraction > 0");
        }
        if (initialWeights == null && !reinitialisedLayers.isEmpty()) {
            throw new PropertyException("", "reinitialisedLayers", "reinitialisedLayers needs initialWeights");
        }
        super.postConfig();
    }

    /**
     * Sets the progress listener for later training runs (it is not part of the configuration).
     * @param listener The listener.
     */
    public void setListener(TrainingListener listener) {
        this.listener = listener == null ? TrainingListener.NONE : listener;
    }

    /**
     * The architecture this trainer builds.
     * @return The spec.
     */
    public NetworkSpec networkSpec() {
        return network;
    }

    @Override
    public NetworkModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        Map<String, TensorData> initial = null;
        Map<String, Provenance> provenance = new LinkedHashMap<>(runProvenance);
        if (initialWeights != null) {
            try {
                byte[] bytes = Files.readAllBytes(initialWeights);
                initial = SafetensorsReader.read(bytes).tensors();
                provenance.put(NetworkProvenance.INITIAL_WEIGHTS_SHA256,
                        new StringProvenance(NetworkProvenance.INITIAL_WEIGHTS_SHA256, NetworkProvenance.sha256(bytes)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read initial weights " + initialWeights + ": " + e.getMessage(), e);
            }
        }
        return fit(examples, provenance, invocationCount, initial);
    }

    /**
     * Fully fine-tunes an existing model on new data: the network starts from the model's weights (except the
     * configured re-initialised layers) and every weight is trained. The run provenance records the starting model's
     * weight hash.
     * @param examples The training data.
     * @param start The model to start from; it must have this trainer's architecture.
     * @param runProvenance Extra run provenance.
     * @return The fine-tuned model.
     */
    public NetworkModel fineTune(Dataset<Label> examples, NetworkModel start, Map<String, Provenance> runProvenance) {
        Map<String, Provenance> provenance = new LinkedHashMap<>(runProvenance);
        provenance.put(NetworkProvenance.INITIAL_WEIGHTS_SHA256, new StringProvenance(
                NetworkProvenance.INITIAL_WEIGHTS_SHA256, NetworkProvenance.sha256(start.weightBytes())));
        return fit(examples, provenance, INCREMENT_INVOCATION_COUNT, start.stateDict());
    }

    private NetworkModel fit(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount,
                             Map<String, TensorData> initial) {
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
        BatchObjective batchObjective = objective.newBatchObjective(localRNG);
        TensorDataset train = data;
        TensorDataset validation = null;
        if (validationFraction > 0) {
            TensorDataset[] parts = data.split(validationFraction, localRNG.split());
            train = parts[0];
            validation = parts[1];
        }
        try (Network net = network.build(outputInfo.size(), initSeed)) {
            if (initial != null) {
                loadInitialWeights(net, initial);
            }
            NetworkFit.Result result = new NetworkFit(
                    new TrainingLoop(epochs, batchSize, gradientClipNorm, patience, learningRateSchedule))
                    .fit(net, optimiser, train, validation, batchObjective, localRNG, listener);
            Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
            instance.putAll(result.provenance());
            if (learningRateSchedule != null) {
                instance.putAll(NetworkProvenance.describeLearningRateChanges(result.history()));
            }
            ModelProvenance provenance = new ModelProvenance(NetworkModel.class.getName(), OffsetDateTime.now(),
                    examples.getProvenance(), trainerProvenance, instance);
            return new NetworkModel("network-model", provenance, featureMap, outputInfo, network, result.weights(),
                    result.history());
        }
    }

    private void loadInitialWeights(Network net, Map<String, TensorData> initial) {
        Map<String, TensorData> kept = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : initial.entrySet()) {
            if (!isReinitialised(e.getKey())) {
                kept.put(e.getKey(), e.getValue());
            }
        }
        for (String layer : reinitialisedLayers) {
            net.layer(layer);
        }
        Map<String, TensorData> expected = new LinkedHashMap<>(kept);
        for (String name : net.parameters().keySet()) {
            if (!isReinitialised(name) && !kept.containsKey(name)) {
                throw new IllegalArgumentException("the initial weights have no tensor '" + name + "'; re-initialise its layer "
                        + "with reinitialisedLayers or supply it");
            }
        }
        net.loadStateDict(expected, false);
    }

    private boolean isReinitialised(String parameterName) {
        for (String layer : reinitialisedLayers) {
            if (parameterName.startsWith(layer + ".")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "NetworkTrainer(network=" + network + ",optimiser=" + optimiser + ",epochs=" + epochs + ",batchSize="
                + batchSize + ",seed=" + seed + ",gradientClipNorm=" + gradientClipNorm + ",validationFraction="
                + validationFraction + ",patience=" + patience + (initialWeights == null ? "" : ",initialWeights="
                + initialWeights + ",reinitialisedLayers=" + reinitialisedLayers)
                + (objective instanceof CrossEntropyObjective ? "" : ",objective=" + objective)
                + (learningRateSchedule == null ? "" : ",learningRateSchedule=" + learningRateSchedule) + ")";
    }
}
