package org.tribuoadapt.robust.blackvip;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuoadapt.core.bridge.FeatureSpaceCheck;
import org.tribuoadapt.core.train.SeededTrainer;
import org.tribuoadapt.core.train.TrainerInvocations;
import org.tribuoadapt.robust.attack.ProbabilityQueries;
import org.tribuoadapt.robust.smoothing.BaseModels;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains BlackVIP (Oh, Hwang, Park, Park, Kim and Kim, "BlackVIP: Black-Box Visual Prompting for Robust Transfer
 * Learning", CVPR 2023): the coordinator's decoder ({@link CoordinatorSpec}) learns, from few labelled examples of the
 * target domain, an input-dependent visual prompt that a frozen black-box classifier classifies better. Nothing of the
 * black box is read but its predicted probabilities: the cross-entropy of the prompted minibatch is estimated by
 * {@link SpsaGcOptimiser} from two-sided perturbations of the decoder's weights, so every step costs
 * {@code 2 * samples} black-box predictions per image, and every one is counted.
 * <p>
 * Each epoch visits the training examples once in a random order, in minibatches of {@code batchSize}; the SPSA-GC
 * step counter runs over all minibatches, as in the authors' code. The coordinator's initial weights (its fixed random
 * encoder included), the batch order and the perturbations all come from the trainer's {@code seed}, so the same seed
 * gives the same coordinator. Defaults: 20 epochs, minibatches of 32 (the authors train far longer, 1,000 to 5,000
 * epochs at batch 128 on 16 shots per class, and on CLIP); the optimiser's defaults are the authors'.
 * <p>
 * The black box is read from a Tribuo model file ({@code blackBoxModelPath}; its SHA-256 goes into the run provenance
 * as {@code black-box-model-sha256}) or given to the Java constructor. The model's run provenance holds the black
 * box's provenance ({@value #BLACK_BOX_PROVENANCE}), the queries spent ({@value #QUERIES_PROVENANCE}), the SPSA-GC
 * steps and the final minibatch loss; the trainer provenance holds every setting.
 */
public final class BlackVipTrainer extends SeededTrainer<BlackVipModel> {

    /** Run-provenance key of the black box's provenance (and, with {@code -sha256}, of its file's hash). */
    public static final String BLACK_BOX_PROVENANCE = "black-box-model";
    /** Run-provenance key of the black-box queries spent in training. */
    public static final String QUERIES_PROVENANCE = "black-box-queries";
    /** Run-provenance key of the SPSA-GC steps taken. */
    public static final String STEPS_PROVENANCE = "spsa-steps";
    /** Run-provenance key of the mean loss of the last step's perturbed points. */
    public static final String LOSS_PROVENANCE = "final-loss";

    /** Images encoded together. */
    private static final int ENCODE_BATCH = 256;
    /** Probabilities below this count as this in the cross-entropy. */
    private static final double SMALLEST_PROBABILITY = 1e-12;

    @Config(description = "Tribuo model file of the black-box classifier (it must predict probabilities).")
    private Path blackBoxModelPath;

    @Config(mandatory = true, description = "The coordinator network's architecture and prompt bound.")
    private CoordinatorSpec coordinator;

    @Config(description = "The SPSA-GC optimiser of the decoder's weights.")
    private SpsaGcOptimiser optimiser = new SpsaGcOptimiser();

    @Config(description = "Passes over the training examples.")
    private int epochs = 20;

    @Config(description = "Examples per SPSA-GC step.")
    private int batchSize = 32;

    private transient Model<Label> blackBox;

    /** For OLCUT. */
    private BlackVipTrainer() {}

    /**
     * Creates a trainer whose black box is read from a Tribuo model file.
     * @param blackBoxModelPath The black box's file.
     * @param coordinator The coordinator's architecture.
     * @param optimiser The optimiser.
     * @param epochs The passes over the data.
     * @param batchSize The examples per step.
     * @param seed The seed.
     */
    public BlackVipTrainer(Path blackBoxModelPath, CoordinatorSpec coordinator, SpsaGcOptimiser optimiser, int epochs,
                           int batchSize, long seed) {
        this.blackBoxModelPath = blackBoxModelPath;
        this.coordinator = coordinator;
        this.optimiser = optimiser;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        postConfig();
    }

    /**
     * Creates a trainer for a black box held in memory (reproducible from provenance only if the black box is too).
     * @param blackBox The black box; only its {@code predict} is called.
     * @param coordinator The coordinator's architecture.
     * @param optimiser The optimiser.
     * @param epochs The passes over the data.
     * @param batchSize The examples per step.
     * @param seed The seed.
     */
    public BlackVipTrainer(Model<Label> blackBox, CoordinatorSpec coordinator, SpsaGcOptimiser optimiser, int epochs,
                           int batchSize, long seed) {
        this.blackBox = blackBox;
        this.coordinator = coordinator;
        this.optimiser = optimiser;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        postConfig();
    }

    @Override
    public synchronized void postConfig() {
        if (coordinator == null) {
            throw new PropertyException("", "coordinator", "a coordinator spec is needed");
        }
        if (optimiser == null) {
            throw new PropertyException("", "optimiser", "an SPSA-GC optimiser is needed");
        }
        if (epochs < 1) {
            throw new PropertyException("", "epochs", "epochs must be at least 1, found " + epochs);
        }
        if (batchSize < 1) {
            throw new PropertyException("", "batchSize", "batchSize must be at least 1, found " + batchSize);
        }
        if (blackBox == null && blackBoxModelPath == null) {
            throw new PropertyException("", "blackBoxModelPath", "a black-box model is needed: set blackBoxModelPath");
        }
        if (blackBox != null) {
            try {
                BlackVipModel.queries(blackBox, coordinator);
            } catch (IllegalArgumentException e) {
                throw new PropertyException(e, "", "blackBox", e.getMessage());
            }
        }
        super.postConfig();
    }

    @Override
    public BlackVipModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
        Model<Label> model = blackBox != null ? blackBox
                : BaseModels.load(blackBoxModelPath, BLACK_BOX_PROVENANCE, instance);
        BaseModels.checkDatasetLabels(examples, model);
        ProbabilityQueries queries = BlackVipModel.queries(model, coordinator);
        FeatureSpaceCheck.requireMatch(model.getFeatureIDMap(), examples);
        List<Example<Label>> data = new ArrayList<>(examples.size());
        examples.forEach(data::add);
        float[] images = queries.tensorizer().toArray(data);
        int[] labels = queries.labelIds(data);
        TrainerInvocations.Invocation<TrainerProvenance> run = startRun(invocationCount);
        SplittableRandom rng = run.rng();
        byte[] weights;
        SpsaGcOptimiser.Run spsa;
        double loss = Double.NaN;
        try (Coordinator network = Coordinator.initial(coordinator, rng.nextLong())) {
            float[] features = encodeAll(network, images, data.size(), queries.imageSize());
            int featureSize = features.length / data.size();
            spsa = optimiser.start(network.decoderSize());
            float[] w = network.decoderWeights();
            int[] order = new int[data.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int epoch = 0; epoch < epochs; epoch++) {
                shuffle(order, rng);
                for (int from = 0; from < order.length; from += batchSize) {
                    Minibatch batch = Minibatch.of(order, from, Math.min(order.length, from + batchSize), images,
                            queries.imageSize(), features, featureSize, labels, data);
                    loss = spsa.step(w, v -> crossEntropy(network, queries, batch, v), rng);
                }
            }
            network.setDecoderWeights(w);
            weights = network.weights();
        }
        instance.put(BLACK_BOX_PROVENANCE, model.getProvenance());
        instance.put(QUERIES_PROVENANCE, new LongProvenance(QUERIES_PROVENANCE, queries.queries()));
        instance.put(STEPS_PROVENANCE, new IntProvenance(STEPS_PROVENANCE, spsa.steps()));
        instance.put(LOSS_PROVENANCE, new DoubleProvenance(LOSS_PROVENANCE, loss));
        ModelProvenance provenance = new ModelProvenance(BlackVipModel.class.getName(), OffsetDateTime.now(),
                examples.getProvenance(), run.provenance(), instance);
        return new BlackVipModel("blackvip-model", provenance, model, coordinator, weights, queries.queries());
    }

    /** The frozen encoder's features of every training image, computed once. */
    private static float[] encodeAll(Coordinator network, float[] images, int n, int imageSize) {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (int from = 0; from < n; from += ENCODE_BATCH) {
            int count = Math.min(n, from + ENCODE_BATCH) - from;
            float[] chunk = new float[count * imageSize];
            System.arraycopy(images, from * imageSize, chunk, 0, chunk.length);
            float[] encoded = network.encode(chunk, count);
            parts.add(encoded);
            total += encoded.length;
        }
        float[] out = new float[total];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** The mean cross-entropy of the black box on a minibatch prompted by a decoder with weights {@code w}. */
    private static double crossEntropy(Coordinator network, ProbabilityQueries queries, Minibatch batch, float[] w) {
        network.setDecoderWeights(w);
        float[] prompted = network.prompt(batch.images(), batch.features(), batch.size());
        double[] probabilities = queries.probabilities(prompted, batch.outputs());
        int classes = queries.classes();
        double sum = 0;
        for (int i = 0; i < batch.size(); i++) {
            sum -= Math.log(Math.max(SMALLEST_PROBABILITY, probabilities[i * classes + batch.labels()[i]]));
        }
        return sum / batch.size();
    }

    private static void shuffle(int[] order, SplittableRandom rng) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /**
     * One minibatch, gathered.
     * @param images The images.
     * @param features Their encoder features.
     * @param labels Their label ids in the black box's order.
     * @param outputs Their labels.
     */
    private record Minibatch(float[] images, float[] features, int[] labels, List<Label> outputs) {
        static Minibatch of(int[] order, int from, int to, float[] images, int imageSize, float[] features,
                            int featureSize, int[] labels, List<Example<Label>> data) {
            int n = to - from;
            float[] x = new float[n * imageSize];
            float[] z = new float[n * featureSize];
            int[] y = new int[n];
            List<Label> outputs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int e = order[from + i];
                System.arraycopy(images, e * imageSize, x, i * imageSize, imageSize);
                System.arraycopy(features, e * featureSize, z, i * featureSize, featureSize);
                y[i] = labels[e];
                outputs.add(data.get(e).getOutput());
            }
            return new Minibatch(x, z, y, outputs);
        }

        int size() {
            return labels.length;
        }
    }

    @Override
    public String toString() {
        return "BlackVipTrainer(coordinator=" + coordinator + ",optimiser=" + optimiser + ",epochs=" + epochs
                + ",batchSize=" + batchSize + ",seed=" + seed + ",blackBox="
                + (blackBox != null ? blackBox.getName() : blackBoxModelPath) + ")";
    }
}
