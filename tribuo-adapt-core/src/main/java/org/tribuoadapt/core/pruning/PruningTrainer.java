package org.tribuoadapt.core.pruning;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuoadapt.core.bridge.FeatureSpaceCheck;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.ModelFiles;
import org.tribuoadapt.core.model.NetworkFit;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.SeededTrainer;
import org.tribuoadapt.core.train.TrainerInvocations;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Prunes a trained network by magnitude and retrains it with the mask fixed: stages two and three of the
 * train-prune-retrain pipeline of Zhou, Yang, Chang and Mahoney (ICML 2023, "A Three-regime Model of Network
 * Pruning"). The mask is computed once from the base network's weights ({@link MagnitudePruning}); retraining then
 * fine-tunes every weight with cross-entropy while the pruned entries get no gradient and stay exactly zero.
 * <p>
 * The base is a serialized {@link NetworkModel} ({@code baseModel}) or is given to {@link #train(Dataset, NetworkModel)}.
 * The seed and the invocation count fix the batch order and dropout, so two seeds give the two retrained networks the
 * paper's diagnostics compare ({@link ThreeRegimeDiagnostics}), and one seed gives identical weights. The model's run
 * provenance records the base weights' SHA-256 ({@link NetworkProvenance#INITIAL_WEIGHTS_SHA256}), the number of
 * pruned and prunable entries and the density ({@link #PRUNED_ENTRIES}, {@link #PRUNABLE_ENTRIES}, {@link #DENSITY})
 * besides the usual training summary. Retraining does not clip gradients, since a global norm would count the
 * pruned entries' gradients.
 */
public final class PruningTrainer extends SeededTrainer<NetworkModel> {

    /** Run-provenance key of the number of weight entries pruned to zero. */
    public static final String PRUNED_ENTRIES = "pruning.pruned-entries";
    /** Run-provenance key of the number of prunable weight entries. */
    public static final String PRUNABLE_ENTRIES = "pruning.prunable-entries";
    /** Run-provenance key of the density {@code 1 - pruned / prunable}. */
    public static final String DENSITY = "pruning.density";

    @Config(mandatory = true, description = "The magnitude pruning rule (ratio and scope).")
    private MagnitudePruning pruning;

    @Config(mandatory = true, description = "The optimiser of the retraining.")
    private OptimiserFactory optimiser;

    @Config(description = "Epochs of retraining with the mask fixed.")
    private int epochs = 5;

    @Config(description = "Minibatch size of the retraining.")
    private int batchSize = 64;

    @Config(description = "A serialized Tribuo NetworkModel file to prune.")
    private Path baseModel;

    private transient TrainingListener listener = TrainingListener.NONE;

    /** For OLCUT. */
    private PruningTrainer() {}

    /**
     * Creates a trainer; give the base to {@link #train(Dataset, NetworkModel)} or configure {@code baseModel}.
     * @param pruning The pruning rule.
     * @param optimiser The retraining optimiser.
     * @param epochs Retraining epochs, at least 1.
     * @param batchSize The minibatch size, at least 1.
     * @param seed The seed.
     */
    public PruningTrainer(MagnitudePruning pruning, OptimiserFactory optimiser, int epochs, int batchSize, long seed) {
        this.pruning = pruning;
        this.optimiser = optimiser;
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
        if (batchSize < 1) {
            throw new PropertyException("", "batchSize", "batchSize must be at least 1, found " + batchSize);
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
     * The pruning rule.
     * @return The rule.
     */
    public MagnitudePruning pruning() {
        return pruning;
    }

    @Override
    public NetworkModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        if (baseModel == null) {
            throw new IllegalStateException("no network to prune: set baseModel, or call train(dataset, base)");
        }
        NetworkModel base = NetworkModel.require(ModelFiles.load(baseModel), "the network to prune (" + baseModel + ")");
        return fit(examples, base, runProvenance, invocationCount);
    }

    /**
     * Prunes a trained model and retrains it on the examples.
     * @param examples The retraining data, with the base model's features.
     * @param base The trained network to prune.
     * @return The pruned, retrained model.
     */
    public NetworkModel train(Dataset<Label> examples, NetworkModel base) {
        return fit(examples, base, Collections.emptyMap(), INCREMENT_INVOCATION_COUNT);
    }

    private NetworkModel fit(Dataset<Label> examples, NetworkModel base, Map<String, Provenance> runProvenance,
                             int invocationCount) {
        if (examples.size() == 0) {
            throw new IllegalArgumentException("the retraining dataset is empty");
        }
        FeatureSpaceCheck.requireMatch(base.getFeatureIDMap(), examples);
        ImmutableFeatureMap featureMap = base.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputInfo = base.getOutputIDInfo();
        TensorDataset data = TensorDataset.from(examples, base.tensorizer(), outputInfo);
        TrainerInvocations.Invocation<TrainerProvenance> invocation = startRun(invocationCount);
        SplittableRandom localRNG = invocation.rng();
        DjlRuntime.seedNativeRandom(localRNG.nextLong());
        try (Network network = base.newNetwork()) {
            PruningMask mask = pruning.maskFor(network);
            mask.apply(network);
            TrainingHistory history = new NetworkFit(new TrainingLoop(epochs, batchSize, 0.0, 1)).train(network,
                    optimiser, data, null, BatchObjective.crossEntropy(), localRNG, listener,
                    opt -> new MaskedOptimiser(opt, mask, network));
            byte[] weights = NetworkModel.weightsOf(network);
            Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
            instance.put(NetworkProvenance.INITIAL_WEIGHTS_SHA256, new StringProvenance(
                    NetworkProvenance.INITIAL_WEIGHTS_SHA256, NetworkProvenance.sha256(base.weightBytes())));
            instance.put(PRUNED_ENTRIES, new LongProvenance(PRUNED_ENTRIES, mask.prunedCount()));
            instance.put(PRUNABLE_ENTRIES, new LongProvenance(PRUNABLE_ENTRIES, mask.totalCount()));
            instance.put(DENSITY, new DoubleProvenance(DENSITY, 1 - mask.prunedShare()));
            instance.putAll(NetworkProvenance.describeWeights(weights));
            instance.putAll(NetworkProvenance.describeTraining(history));
            ModelProvenance provenance = new ModelProvenance(NetworkModel.class.getName(), OffsetDateTime.now(),
                    examples.getProvenance(), invocation.provenance(), instance);
            return new NetworkModel("pruned-network-model", provenance, featureMap, outputInfo, base.spec(), weights, history);
        }
    }

    @Override
    public String toString() {
        return "PruningTrainer(pruning=" + pruning + ",optimiser=" + optimiser + ",epochs=" + epochs + ",batchSize="
                + batchSize + ",seed=" + seed + (baseModel == null ? "" : ",baseModel=" + baseModel) + ")";
    }
}
