package org.tribuoadapt.core.richfeatures;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
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
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.SeededTrainer;
import org.tribuoadapt.core.train.TrainerInvocations;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Rich feature construction by Bonsai (Zhang, Lopez-Paz and Bottou 2022, "Rich Feature Construction for the
 * Optimization-Generalization Dilemma", ICML): an initialisation for out-of-distribution training that carries many
 * features, not only the easiest one.
 * <ol>
 *     <li><b>Discovery</b>, {@code rounds} episodes. Round 1 trains a network by ERM. Round {@code k} trains a fresh
 *     network by group DRO ({@link GroupDro}) over the groups of the earlier rounds ({@link DiscoveryGroups}: the
 *     examples each earlier network solved, and those it did not), so it must solve the examples the earlier
 *     features fail on while keeping the others. After each round its network's correct and wrong examples become
 *     two new groups.</li>
 *     <li><b>Synthesis</b>, one episode. A network of the same architecture with {@code rounds} heads learns to
 *     predict every discovered network's classes at once ({@link SynthesisObjective}), so one representation holds
 *     all discovered features.</li>
 * </ol>
 * The model returned is the synthesised representation with a freshly initialised head of one output per label: a
 * base for {@code NetworkTrainer.fineTune} (ERM or a robust objective on the shifted data) or for a linear probe.
 * The paper's choices left open here: the DRO is Sagawa et al.'s online group DRO with step size
 * {@code groupStepSize} (large values approach the hard maximum of the paper), and the synthesis distils the
 * discovered networks' argmax predictions with the cells of the partitions balanced.
 * <p>
 * The run provenance records every episode: for round {@code k}, {@code rich-features.round-k.solved} (the
 * examples its network classifies correctly), {@code .groups} and {@code .group-weights} (the DRO groups and their
 * final weights) and {@code .train-loss}; for synthesis, {@code rich-features.synthesis.agreement} (per head, the
 * share of examples whose head prediction equals its discovered network's) and {@code .train-loss}. The seed and the
 * invocation count fix every network's initial weights and batch order.
 */
public final class RichFeatureTrainer extends SeededTrainer<NetworkModel> {

    /** The prefix of the run-provenance entries describing the episodes. */
    public static final String PROVENANCE_PREFIX = "rich-features.";

    /** The largest number of discovery rounds (the cells of the partitions are kept as bit patterns). */
    public static final int MAX_ROUNDS = 16;

    @Config(mandatory = true, description = "The network architecture, for the discovered and the synthesised networks.")
    private NetworkSpec network;

    @Config(mandatory = true, description = "The optimiser of every episode.")
    private OptimiserFactory optimiser;

    @Config(description = "Number of discovery rounds K (round 1 is ERM, later rounds group DRO); also the number of "
            + "synthesis heads.")
    private int rounds = 2;

    @Config(description = "Passes over the training data in each discovery episode.")
    private int discoveryEpochs = 3;

    @Config(description = "Passes over the training data in the synthesis episode.")
    private int synthesisEpochs = 3;

    @Config(description = "Minibatch size of every episode.")
    private int batchSize = 64;

    @Config(description = "Step size eta of the group DRO weight updates q_g <- q_g exp(eta L_g); large values approach "
            + "the hard maximum over groups.")
    private double groupStepSize = 0.5;

    @Config(description = "The output layer: one head per round during synthesis, drawn afresh in the result.")
    private String headLayer = "head";

    @Config(description = "Largest global gradient L2 norm; 0 disables clipping.")
    private double gradientClipNorm = 0.0;

    private transient TrainingListener listener = TrainingListener.NONE;

    /** For OLCUT. */
    private RichFeatureTrainer() {}

    /**
     * Creates a trainer.
     * @param network The architecture.
     * @param optimiser The optimiser.
     * @param rounds The discovery rounds, 1 to {@value #MAX_ROUNDS}.
     * @param discoveryEpochs The epochs of each discovery episode.
     * @param synthesisEpochs The epochs of the synthesis episode.
     * @param batchSize The minibatch size.
     * @param groupStepSize The group DRO step size, above 0.
     * @param seed The seed.
     */
    public RichFeatureTrainer(NetworkSpec network, OptimiserFactory optimiser, int rounds, int discoveryEpochs,
                              int synthesisEpochs, int batchSize, double groupStepSize, long seed) {
        this.network = network;
        this.optimiser = optimiser;
        this.rounds = rounds;
        this.discoveryEpochs = discoveryEpochs;
        this.synthesisEpochs = synthesisEpochs;
        this.batchSize = batchSize;
        this.groupStepSize = groupStepSize;
        this.seed = seed;
        postConfig();
    }

    @Override
    public synchronized void postConfig() {
        if (rounds < 1 || rounds > MAX_ROUNDS) {
            throw new PropertyException("", "rounds", "rounds must be in [1, " + MAX_ROUNDS + "], found " + rounds);
        }
        if (discoveryEpochs < 1) {
            throw new PropertyException("", "discoveryEpochs", "discoveryEpochs must be at least 1, found " + discoveryEpochs);
        }
        if (synthesisEpochs < 1) {
            throw new PropertyException("", "synthesisEpochs", "synthesisEpochs must be at least 1, found " + synthesisEpochs);
        }
        if (batchSize < 1) {
            throw new PropertyException("", "batchSize", "batchSize must be at least 1, found " + batchSize);
        }
        if (!(groupStepSize > 0) || Double.isInfinite(groupStepSize)) {
            throw new PropertyException("", "groupStepSize", "groupStepSize must be finite and > 0, found " + groupStepSize);
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
        if (examples.size() == 0) {
            throw new IllegalArgumentException("the training dataset is empty");
        }
        ImmutableFeatureMap featureMap = examples.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputInfo = examples.getOutputIDInfo();
        int classes = outputInfo.size();
        if (classes < 2) {
            throw new IllegalArgumentException("rich feature construction needs at least two classes, found " + classes);
        }
        TensorDataset data = TensorDataset.from(examples, new FeatureTensorizer(featureMap, network.inputShape()));
        int[] labels = data.labels();
        TensorDataset byId = data.withLabels(Evaluation.range(0, data.size()));
        TrainerInvocations.Invocation<TrainerProvenance> invocation = startRun(invocationCount);
        SplittableRandom localRNG = invocation.rng();
        DjlRuntime.seedNativeRandom(localRNG.nextLong());
        Map<String, Provenance> episodes = new LinkedHashMap<>();

        DiscoveryGroups groups = new DiscoveryGroups(data.size());
        int[][] pseudoLabels = new int[rounds][];
        for (int round = 1; round <= rounds; round++) {
            GroupDro dro = new GroupDro(groups.members(), labels, groupStepSize);
            String roundGroups = String.join(",", groups.names());
            float[][] logits;
            TrainingHistory history;
            try (Network net = network.build(classes, localRNG.nextLong())) {
                history = fit(net, byId, dro.objective(), discoveryEpochs, localRNG);
                logits = Evaluation.logits(net, data);
            }
            pseudoLabels[round - 1] = argmax(logits, 0, classes);
            boolean[] solved = new boolean[labels.length];
            for (int i = 0; i < labels.length; i++) {
                solved[i] = pseudoLabels[round - 1][i] == labels[i];
            }
            groups.addRound(solved);
            String key = PROVENANCE_PREFIX + "round-" + round + ".";
            put(episodes, new IntProvenance(key + "solved", groups.solved(round)));
            put(episodes, new StringProvenance(key + "groups", roundGroups));
            put(episodes, new StringProvenance(key + "group-weights", Arrays.toString(dro.weights())));
            put(episodes, new DoubleProvenance(key + "train-loss", lastLoss(history)));
        }

        SynthesisObjective synthesis = new SynthesisObjective(pseudoLabels, groups.balancedWeights(), classes);
        Map<String, TensorData> synthesised;
        double[] agreement = new double[rounds];
        TrainingHistory history;
        try (Network net = network.build(rounds * classes, localRNG.nextLong())) {
            net.layer(headLayer); // fails here, naming the layer, when the network has no such output layer
            history = fit(net, byId, synthesis.objective(), synthesisEpochs, localRNG);
            float[][] logits = Evaluation.logits(net, data);
            for (int k = 0; k < rounds; k++) {
                int[] predicted = argmax(logits, k * classes, classes);
                int same = 0;
                for (int i = 0; i < predicted.length; i++) {
                    same += predicted[i] == pseudoLabels[k][i] ? 1 : 0;
                }
                agreement[k] = (double) same / predicted.length;
            }
            synthesised = net.stateDict();
        }
        put(episodes, new StringProvenance(PROVENANCE_PREFIX + "synthesis.agreement", Arrays.toString(agreement)));
        put(episodes, new DoubleProvenance(PROVENANCE_PREFIX + "synthesis.train-loss", lastLoss(history)));

        byte[] weights = FreshHead.replace(network, synthesised, headLayer, classes, localRNG.nextLong());
        Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
        instance.putAll(episodes);
        instance.putAll(NetworkProvenance.describeWeights(weights));
        ModelProvenance provenance = new ModelProvenance(NetworkModel.class.getName(), OffsetDateTime.now(),
                examples.getProvenance(), invocation.provenance(), instance);
        return new NetworkModel("rich-feature-initialisation", provenance, featureMap, outputInfo, network, weights,
                history);
    }

    private TrainingHistory fit(Network net, TensorDataset byId, BatchObjective objective, int epochs,
                                SplittableRandom rng) {
        return new NetworkFit(new TrainingLoop(epochs, batchSize, gradientClipNorm, 1)).fit(net, optimiser, byId, null,
                objective, rng, listener).history();
    }

    /**
     * The argmax of each example's logits within one head.
     * @param logits {@code [N][outputs]}.
     * @param offset The head's first unit.
     * @param classes The head's width.
     * @return The predicted class of each example.
     */
    static int[] argmax(float[][] logits, int offset, int classes) {
        int[] out = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i][offset + c] > logits[i][offset + best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }

    private static double lastLoss(TrainingHistory history) {
        return history.epochs().get(history.epochs().size() - 1).trainLoss();
    }

    private static void put(Map<String, Provenance> map, PrimitiveProvenance<?> provenance) {
        map.put(provenance.getKey(), provenance);
    }

    @Override
    public String toString() {
        return "RichFeatureTrainer(network=" + network + ",optimiser=" + optimiser + ",rounds=" + rounds
                + ",discoveryEpochs=" + discoveryEpochs + ",synthesisEpochs=" + synthesisEpochs + ",batchSize="
                + batchSize + ",groupStepSize=" + groupStepSize + ",headLayer=" + headLayer + ",gradientClipNorm="
                + gradientClipNorm + ",seed=" + seed + ")";
    }
}
