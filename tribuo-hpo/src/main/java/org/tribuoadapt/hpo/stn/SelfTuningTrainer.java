package org.tribuoadapt.hpo.stn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.Dataset;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.SeededTrainer;
import org.tribuoadapt.core.train.TrainerInvocations;
import org.tribuoadapt.core.train.TrainingPlan;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a Self-Tuning Network (MacKay, Vicol, Lorraine, Duvenaud and Grosse 2019, "Self-Tuning Networks: Bilevel
 * Optimization of Hyperparameters using Structured Best-Response Functions", ICLR): a ReLU multilayer perceptron of
 * {@link StnLinear} best-response layers whose per-layer dropout rates and L2 coefficient are tuned online, in one
 * run, by alternating
 * <ul>
 * <li>{@code trainSteps} weight steps (Adam) on training batches, each example with hyperparameters drawn from the
 * perturbation distribution {@code λ ~ N(u, diag σ²)}, on the cross-entropy under dropout plus the L2 penalty; and</li>
 * <li>{@code validationSteps} hyperparameter steps (Adam) on validation batches, on the validation cross-entropy
 * without the L2 penalty, differentiated through the best-response layers with respect to {@code u} (and {@code σ},
 * when {@code tuneScale}), with dropout relaxed to concrete (relaxed Bernoulli) masks so that the rates get a direct
 * gradient too, minus {@code entropyWeight} times the entropy of the perturbation distribution.</li>
 * </ul>
 * Dropout rates live in logit space and the L2 coefficient in log space, so they stay in (0, 1) and above 0. The
 * validation examples are a seeded {@code validationFraction} of the training data. Defaults follow the paper's
 * CNN code (asteroidhouse/self-tuning-networks, {@code hypertrain.py}): 2 weight steps per hyperparameter step,
 * hyperparameter and scale learning rate 0.003, entropy weight 1e-5, initial perturbation scale 0.5 and initial
 * dropout 0.05. Unlike that code the weights use Adam (not SGD with momentum), the scales are learned by default,
 * there are no warm-up epochs, and 10% (not 20%) of the data is held out.
 * <p>
 * With {@code tuneHyperparameters = false} the same network trains at fixed, unperturbed hyperparameters with no
 * hyperparameter steps: the fixed-value baseline at an equal number of weight steps.
 * <p>
 * The model's provenance records, per epoch, the dropout rates, the L2 coefficient, the perturbation scales and the
 * mean training and validation losses.
 */
public final class SelfTuningTrainer extends SeededTrainer<SelfTuningModel> {

    /** The provenance key of the per-epoch hyperparameter trajectory. */
    public static final String TRAJECTORY_PROVENANCE = "stn-trajectory";

    @Config(description = "Hidden layer widths (at least one); a dropout rate is tuned after each.")
    private int[] hiddenSizes = {128};
    @Config(description = "Passes over the training part of the data.")
    private int epochs = 5;
    @Config(description = "Examples per weight and hyperparameter step.")
    private int batchSize = 128;
    @Config(description = "Share of the data held out as the validation set of the hyperparameter steps, in (0, 1).")
    private double validationFraction = 0.1;
    @Config(description = "Weight steps on training batches per round (T_train).")
    private int trainSteps = 2;
    @Config(description = "Hyperparameter steps on validation batches per round (T_val).")
    private int validationSteps = 1;
    @Config(description = "Adam learning rate of the weight steps.")
    private double weightLearningRate = 1e-3;
    @Config(description = "Adam learning rate of the hyperparameter steps (hyperparameters and perturbation scales).")
    private double hyperLearningRate = 0.003;
    @Config(description = "Initial dropout rate of every hidden layer, in (0, 1).")
    private double initialDropout = 0.05;
    @Config(description = "Initial L2 coefficient, positive.")
    private double initialL2 = 1e-4;
    @Config(description = "Initial perturbation scale sigma (in the unconstrained space), positive.")
    private double initialScale = 0.5;
    @Config(description = "Whether the perturbation scales are learned (otherwise fixed at initialScale).")
    private boolean tuneScale = true;
    @Config(description = "Entropy weight tau of the perturbation distribution in the hyperparameter objective.")
    private double entropyWeight = 1e-5;
    @Config(description = "Temperature of the concrete dropout relaxation in the hyperparameter steps.")
    private double concreteTemperature = 0.5;
    @Config(description = "Whether hyperparameters are tuned; false trains at the fixed initial values.")
    private boolean tuneHyperparameters = true;

    /** For OLCUT. */
    private SelfTuningTrainer() {}

    /**
     * Creates a trainer with the paper's defaults for everything but the network size and run length.
     * @param hiddenSizes The hidden widths.
     * @param epochs The passes over the training part.
     * @param batchSize The batch size.
     * @param seed The seed.
     */
    public SelfTuningTrainer(int[] hiddenSizes, int epochs, int batchSize, long seed) {
        this.hiddenSizes = hiddenSizes.clone();
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        postConfig();
    }

    /**
     * Creates a trainer with every setting.
     * @param hiddenSizes The hidden widths.
     * @param epochs The passes over the training part.
     * @param batchSize The batch size.
     * @param steps The weight and hyperparameter step counts per round and the validation fraction.
     * @param optimisation The learning rates, initial values and perturbation settings.
     * @param seed The seed.
     */
    public SelfTuningTrainer(int[] hiddenSizes, int epochs, int batchSize, Rounds steps, Hyper optimisation,
                             long seed) {
        this.hiddenSizes = hiddenSizes.clone();
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.validationFraction = steps.validationFraction();
        this.trainSteps = steps.trainSteps();
        this.validationSteps = steps.validationSteps();
        this.weightLearningRate = optimisation.weightLearningRate();
        this.hyperLearningRate = optimisation.hyperLearningRate();
        this.initialDropout = optimisation.initialDropout();
        this.initialL2 = optimisation.initialL2();
        this.initialScale = optimisation.initialScale();
        this.tuneScale = optimisation.tuneScale();
        this.entropyWeight = optimisation.entropyWeight();
        this.concreteTemperature = optimisation.concreteTemperature();
        this.tuneHyperparameters = optimisation.tune();
        this.seed = seed;
        postConfig();
    }

    /**
     * The alternation schedule.
     * @param trainSteps Weight steps per round (T_train).
     * @param validationSteps Hyperparameter steps per round (T_val).
     * @param validationFraction The held-out share, in (0, 1).
     */
    public record Rounds(int trainSteps, int validationSteps, double validationFraction) {
        /** The paper's code's 2 weight steps per hyperparameter step, with 10% held out. */
        public static final Rounds PAPER = new Rounds(2, 1, 0.1);
    }

    /**
     * The optimisation settings.
     * @param weightLearningRate Adam's rate for the weights.
     * @param hyperLearningRate Adam's rate for the hyperparameters and scales.
     * @param initialDropout The initial dropout rate.
     * @param initialL2 The initial L2 coefficient.
     * @param initialScale The initial perturbation scale.
     * @param tuneScale Whether the scales are learned.
     * @param entropyWeight The entropy weight τ.
     * @param concreteTemperature The concrete temperature.
     * @param tune Whether to tune at all (false: fixed-value training).
     */
    public record Hyper(double weightLearningRate, double hyperLearningRate, double initialDropout, double initialL2,
                        double initialScale, boolean tuneScale, double entropyWeight, double concreteTemperature,
                        boolean tune) {
        /**
         * The paper's defaults from given initial values.
         * @param initialDropout The initial dropout rate.
         * @param initialL2 The initial L2 coefficient.
         * @param tune Whether to tune.
         * @return The settings.
         */
        public static Hyper paper(double initialDropout, double initialL2, boolean tune) {
            return new Hyper(1e-3, 0.003, initialDropout, initialL2, 0.5, true, 1e-5, 0.5, tune);
        }
    }

    @Override
    public synchronized void postConfig() {
        if (hiddenSizes == null || hiddenSizes.length == 0) {
            throw new PropertyException("", "hiddenSizes", "at least one hidden layer is needed (its dropout rate "
                    + "is tuned)");
        }
        for (int h : hiddenSizes) {
            if (h < 1) {
                throw new PropertyException("", "hiddenSizes", "hidden widths must be positive, found " + h);
            }
        }
        positive("epochs", epochs);
        positive("batchSize", batchSize);
        positive("trainSteps", trainSteps);
        positive("validationSteps", validationSteps);
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new PropertyException("", "validationFraction", "validationFraction must be in (0, 1), found "
                    + validationFraction);
        }
        if (!(initialDropout > 0 && initialDropout < 1)) {
            throw new PropertyException("", "initialDropout", "initialDropout must be in (0, 1), found "
                    + initialDropout);
        }
        positiveFinite("weightLearningRate", weightLearningRate);
        positiveFinite("hyperLearningRate", hyperLearningRate);
        positiveFinite("initialL2", initialL2);
        positiveFinite("initialScale", initialScale);
        positiveFinite("concreteTemperature", concreteTemperature);
        if (!(entropyWeight >= 0) || Double.isInfinite(entropyWeight)) {
            throw new PropertyException("", "entropyWeight", "entropyWeight must be finite and >= 0, found "
                    + entropyWeight);
        }
        super.postConfig();
    }

    @Override
    public SelfTuningModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        if (examples.size() == 0) {
            throw new IllegalArgumentException("cannot train a Self-Tuning Network on an empty dataset");
        }
        if (examples.getOutputIDInfo().size() < 2) {
            throw new IllegalArgumentException("a Self-Tuning Network needs at least 2 classes, found "
                    + examples.getOutputIDInfo().size());
        }
        FeatureTensorizer tensorizer = new FeatureTensorizer(examples.getFeatureIDMap(),
                new Shape(examples.getFeatureIDMap().size()));
        TensorDataset all = TensorDataset.from(examples, tensorizer);
        TrainerInvocations.Invocation<TrainerProvenance> run = startRun(invocationCount);
        SplittableRandom rng = run.rng();
        TensorDataset[] parts = all.split(validationFraction, rng.split());
        int classes = examples.getOutputIDInfo().size();
        List<String> trajectory = new ArrayList<>();
        double[][][] layers;
        double[] rates;
        double l2;
        try (SelfTuningNetwork network = new SelfTuningNetwork(DjlRuntime.newManager(), tensorizer.width(),
                hiddenSizes, classes, initialDropout, initialL2, initialScale, rng.split())) {
            new Run(network, parts[0], parts[1], rng.split(), trajectory).train();
            layers = network.collapse();
            float[] u = network.hyperparameters().array().toFloatArray();
            rates = dropoutRates(u, network.dropoutCount());
            l2 = Math.exp(u[network.dropoutCount()]);
        }
        Map<String, Provenance> instance = new HashMap<>(runProvenance);
        List<StringProvenance> epochsRecorded = new ArrayList<>();
        for (String line : trajectory) {
            epochsRecorded.add(new StringProvenance(TRAJECTORY_PROVENANCE, line));
        }
        instance.put(TRAJECTORY_PROVENANCE, new ListProvenance<>(epochsRecorded));
        ModelProvenance provenance = new ModelProvenance(SelfTuningModel.class.getName(), OffsetDateTime.now(),
                examples.getProvenance(), run.provenance(), instance);
        return new SelfTuningModel("self-tuning-network", provenance, examples.getFeatureIDMap(),
                examples.getOutputIDInfo(), layers, rates, l2);
    }

    @Override
    public String toString() {
        return "SelfTuningTrainer(hidden=" + Arrays.toString(hiddenSizes) + ",epochs=" + epochs
                + ",batchSize=" + batchSize + ",trainSteps=" + trainSteps + ",validationSteps=" + validationSteps
                + ",tune=" + tuneHyperparameters + ",seed=" + seed + ")";
    }

    /** One training run: the alternation of weight and hyperparameter steps over the epochs. */
    private final class Run {
        private final SelfTuningNetwork network;
        private final TensorDataset training;
        private final TensorDataset validation;
        private final SplittableRandom rng;
        private final List<String> trajectory;
        private final List<Parameter> hyperParameters;

        Run(SelfTuningNetwork network, TensorDataset training, TensorDataset validation, SplittableRandom rng,
            List<String> trajectory) {
            this.network = network;
            this.training = training;
            this.validation = validation;
            this.rng = rng;
            this.trajectory = trajectory;
            this.hyperParameters = tuneScale ? List.of(network.hyperparameters(), network.logScale())
                    : List.of(network.hyperparameters());
        }

        void train() {
            List<Parameter> weights = network.weights();
            long scalars = weights.stream().mapToLong(Parameter::size).sum();
            TrainingPlan plan = new TrainingPlan(scalars, scalars, training.size(),
                    training.exampleShape().size(), batchSize, epochs);
            try (NetworkOptimiser weightOptimiser = new AdamOptimiserFactory(weightLearningRate).create(weights, plan);
                 NetworkOptimiser hyperOptimiser = new AdamOptimiserFactory(hyperLearningRate)
                         .create(hyperParameters, plan)) {
                int[] validationOrder = TensorDataset.permutation(validation.size(), rng);
                int validationAt = 0;
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    int[] order = TensorDataset.permutation(training.size(), rng);
                    double trainLoss = 0;
                    double validationLoss = 0;
                    int trainCount = 0;
                    int validationCount = 0;
                    for (int from = 0; from < order.length; ) {
                        for (int t = 0; t < trainSteps && from < order.length; t++) {
                            int to = Math.min(order.length, from + batchSize);
                            trainLoss += weightStep(Arrays.copyOfRange(order, from, to), weightOptimiser);
                            trainCount++;
                            from = to;
                        }
                        if (tuneHyperparameters) {
                            for (int v = 0; v < validationSteps; v++) {
                                if (validationAt + batchSize > validationOrder.length) {
                                    validationOrder = TensorDataset.permutation(validation.size(), rng);
                                    validationAt = 0;
                                }
                                int to = Math.min(validationOrder.length, validationAt + batchSize);
                                validationLoss += hyperStep(Arrays.copyOfRange(validationOrder,
                                        validationAt, to), hyperOptimiser);
                                validationCount++;
                                validationAt = to;
                            }
                        }
                    }
                    trajectory.add(describe(epoch, trainLoss / trainCount,
                            validationCount == 0 ? Double.NaN : validationLoss / validationCount));
                }
            }
        }

        private double weightStep(int[] indices, NetworkOptimiser optimiser) {
            try (NDManager batch = DjlRuntime.newManager(); NDScope ignored = new NDScope()) {
                int n = indices.length;
                NDArray features = training.features(batch, indices);
                NDArray labels = training.labels(batch, indices);
                NDArray lambda;
                try (GradientMode off = GradientMode.disabled()) {
                    lambda = tuneHyperparameters ? network.perturbed(batch, gaussian(n), n)
                            : network.perturbed(batch, new float[n * network.hyperparameterCount()], n);
                }
                NDArray loss;
                try (GradientMode recording = GradientMode.enabled()) {
                    loss = network.trainingLoss(features, labels, lambda, uniform(n));
                    GradientMode.backward(loss);
                }
                double value = finite(loss.getFloat(), "training loss");
                optimiser.step();
                zero(network.weights());
                return value;
            }
        }

        private double hyperStep(int[] indices, NetworkOptimiser optimiser) {
            try (NDManager batch = DjlRuntime.newManager(); NDScope ignored = new NDScope()) {
                int n = indices.length;
                NDArray features = validation.features(batch, indices);
                NDArray labels = validation.labels(batch, indices);
                NDArray objective;
                try (GradientMode recording = GradientMode.enabled()) {
                    NDArray lambda = network.perturbed(batch, gaussian(n), n);
                    objective = network.validationObjective(features, labels, lambda, uniform(n),
                            concreteTemperature, entropyWeight);
                    GradientMode.backward(objective);
                }
                double value = finite(objective.getFloat(), "validation objective");
                optimiser.step();
                zero(network.weights());
                zero(List.of(network.hyperparameters(), network.logScale()));
                return value;
            }
        }

        private float[] gaussian(int n) {
            float[] values = new float[n * network.hyperparameterCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) rng.nextGaussian();
            }
            return values;
        }

        private float[][] uniform(int n) {
            int[] widths = network.hiddenWidths();
            float[][] noise = new float[widths.length][];
            for (int l = 0; l < widths.length; l++) {
                noise[l] = new float[n * widths[l]];
                for (int i = 0; i < noise[l].length; i++) {
                    // Strictly inside (0, 1), so the concrete relaxation's logs stay finite.
                    noise[l][i] = (float) Math.min(1 - 1e-6, Math.max(1e-6, rng.nextDouble()));
                }
            }
            return noise;
        }

        private String describe(int epoch, double trainLoss, double validationLoss) {
            float[] u = network.hyperparameters().array().toFloatArray();
            float[] s = network.logScale().array().toFloatArray();
            int d = network.dropoutCount();
            StringBuilder line = new StringBuilder("epoch=").append(epoch).append(" dropout=[");
            double[] rates = dropoutRates(u, d);
            for (int l = 0; l < d; l++) {
                line.append(l == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6g", rates[l]));
            }
            line.append(String.format(Locale.ROOT, "] l2=%.6g scale=[", Math.exp(u[d])));
            for (int k = 0; k < s.length; k++) {
                line.append(k == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6g", Math.exp(s[k])));
            }
            return line.append(String.format(Locale.ROOT, "] train-loss=%.6g validation-objective=%.6g", trainLoss,
                    validationLoss)).toString();
        }
    }

    private static double[] dropoutRates(float[] u, int count) {
        double[] rates = new double[count];
        for (int l = 0; l < count; l++) {
            rates[l] = 1 / (1 + Math.exp(-u[l]));
        }
        return rates;
    }

    private static void zero(List<Parameter> parameters) {
        for (Parameter p : parameters) {
            GradientMode.zeroGradient(p.array());
        }
    }

    private static double finite(double value, String what) {
        if (!Double.isFinite(value)) {
            throw new IllegalStateException("the Self-Tuning Network's " + what + " became " + value
                    + "; lower the learning rates");
        }
        return value;
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new PropertyException("", name, name + " must be at least 1, found " + value);
        }
    }

    private static void positiveFinite(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new PropertyException("", name, name + " must be positive and finite, found " + value);
        }
    }
}
