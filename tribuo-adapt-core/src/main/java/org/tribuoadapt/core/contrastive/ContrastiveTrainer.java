package org.tribuoadapt.core.contrastive;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.FreshHead;
import org.tribuoadapt.core.model.NetworkFit;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.SeededTrainer;
import org.tribuoadapt.core.train.TrainerInvocations;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Self-supervised contrastive pre-training (SogCLR or iSogCLR, {@link GlobalContrastiveObjective}) of a network whose
 * layer {@code headLayer} serves as the projection head: the network is built with {@code projectionSize} outputs
 * and trained on two views of every image, ignoring the labels. The model returned is the pre-trained encoder with a
 * freshly initialised head of one output per label of the dataset's output domain, so it classifies only once the
 * head is trained, for example by a linear probe or as the base of tribuo-peft's {@code PeftTrainer}; the projection
 * head is discarded, as in SimCLR.
 * <p>
 * SogCLR's per-example state is indexed by each example's position in the training dataset. The seed and the
 * invocation count fix the initial weights, the batch order, the views and the fresh head.
 */
public final class ContrastiveTrainer extends SeededTrainer<NetworkModel> {

    @Config(mandatory = true, description = "The network: an encoder whose head layer is the projection head.")
    private NetworkSpec network;

    @Config(mandatory = true, description = "The optimiser.")
    private OptimiserFactory optimiser;

    @Config(mandatory = true, description = "The contrastive objective: SogCLR or iSogCLR.")
    private GlobalContrastiveObjective objective;

    @Config(description = "Width of the projection the loss compares.")
    private int projectionSize = 32;

    @Config(description = "The layer used as the projection head during pre-training and re-initialised afterwards.")
    private String headLayer = "head";

    @Config(description = "Number of passes over the training data.")
    private int epochs = 5;

    @Config(description = "Minibatch size (number of images; each gives two views).")
    private int batchSize = 128;

    @Config(description = "Largest global gradient L2 norm; 0 disables clipping.")
    private double gradientClipNorm = 0.0;

    private transient TrainingListener listener = TrainingListener.NONE;

    /** For OLCUT. */
    private ContrastiveTrainer() {}

    /**
     * Creates a trainer.
     * @param network The encoder with its projection head ({@code head}).
     * @param optimiser The optimiser.
     * @param objective SogCLR or iSogCLR.
     * @param projectionSize The projection width.
     * @param epochs The number of epochs.
     * @param batchSize The minibatch size, at least 2.
     * @param seed The seed.
     */
    public ContrastiveTrainer(NetworkSpec network, OptimiserFactory optimiser, GlobalContrastiveObjective objective,
                              int projectionSize, int epochs, int batchSize, long seed) {
        this.network = network;
        this.optimiser = optimiser;
        this.objective = objective;
        this.projectionSize = projectionSize;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        postConfig();
    }

    @Override
    public synchronized void postConfig() {
        if (projectionSize < 1) {
            throw new PropertyException("", "projectionSize", "projectionSize must be at least 1, found " + projectionSize);
        }
        if (epochs < 1) {
            throw new PropertyException("", "epochs", "epochs must be at least 1, found " + epochs);
        }
        if (batchSize < 2) {
            throw new PropertyException("", "batchSize", "a contrastive batch needs at least 2 images, found " + batchSize);
        }
        if (!(gradientClipNorm >= 0) || Double.isInfinite(gradientClipNorm)) {
            throw new PropertyException("", "gradientClipNorm", "gradientClipNorm must be finite and >= 0, found " + gradientClipNorm);
        }
        if (headLayer == null || headLayer.isEmpty()) {
            throw new PropertyException("", "headLayer", "headLayer must name a layer");
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

    @Override
    public NetworkModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        if (examples.size() < 2) {
            throw new IllegalArgumentException("contrastive pre-training needs at least two examples, found " + examples.size());
        }
        ImmutableFeatureMap featureMap = examples.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputInfo = examples.getOutputIDInfo();
        if (outputInfo.size() == 0) {
            throw new IllegalArgumentException("the dataset has no labels in its output domain; the encoder's fresh head "
                    + "needs one output per label");
        }
        TensorDataset data = TensorDataset.from(examples, new FeatureTensorizer(featureMap, network.inputShape()));
        int[] ids = new int[data.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        TrainerInvocations.Invocation<TrainerProvenance> invocation = startRun(invocationCount);
        SplittableRandom localRNG = invocation.rng();
        long initSeed = localRNG.nextLong();
        long headSeed = localRNG.nextLong();
        DjlRuntime.seedNativeRandom(localRNG.nextLong());
        NetworkFit.Result result;
        Map<String, TensorData> trained;
        try (Network net = network.build(projectionSize, initSeed)) {
            net.layer(headLayer); // fails here, naming the layer, when the network has no such projection head
            result = new NetworkFit(new TrainingLoop(epochs, batchSize, gradientClipNorm, 1)).fit(net, optimiser,
                    data.withLabels(ids), null, objective.newBatchObjective(localRNG), localRNG, listener);
            trained = net.stateDict();
        }
        byte[] weights = FreshHead.replace(network, trained, headLayer, outputInfo.size(), headSeed);
        Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
        instance.putAll(result.provenance());
        instance.putAll(NetworkProvenance.describeWeights(weights));
        ModelProvenance provenance = new ModelProvenance(NetworkModel.class.getName(), OffsetDateTime.now(),
                examples.getProvenance(), invocation.provenance(), instance);
        return new NetworkModel("contrastive-encoder", provenance, featureMap, outputInfo, network, weights,
                result.history());
    }

    @Override
    public String toString() {
        return "ContrastiveTrainer(network=" + network + ",optimiser=" + optimiser + ",objective=" + objective
                + ",projectionSize=" + projectionSize + ",headLayer=" + headLayer + ",epochs=" + epochs + ",batchSize="
                + batchSize + ",seed=" + seed + ",gradientClipNorm=" + gradientClipNorm + ")";
    }
}
