package org.tribuoadapt.robust.distillation;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.model.NetworkFit;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.SeededTrainer;
import org.tribuoadapt.core.train.TrainerInvocations;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.robust.smoothing.BaseModels;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Efficiently robustifies a pre-trained network (Jain et al., "Efficiently Robustify Pre-trained Models", ICCV
 * 2023): a small teacher, made robust cheaply beforehand (for example by PGD adversarial training with
 * {@code robust.adversarial.AdversarialObjective}), is distilled into a larger pre-trained student while only a
 * fraction of the student is tuned. The tuned layers are named by path ({@code tunedLayers}) or picked by index among
 * the student's layers with weights ({@code tunedLayerIndices}, {@code -1} the last); every other weight stays frozen
 * and bit-identical. The loss is {@link DistillationLoss}: cross-entropy weighted {@code 1 - distillationWeight} plus
 * the teacher's soft labels at {@code temperature}, weighted {@code distillationWeight * temperature^2}. The
 * distillation inputs are the training images, optionally augmented with Gaussian noise ({@code noiseStd}), since
 * the paper distils on augmented data.
 * <p>
 * What this implements of the paper, and what it leaves out: the teacher-to-student distillation into selected layers
 * of the student. The paper's further heads (a clean head and a robust head next to the original one) and its
 * uncertainty-based choice of head at inference are not implemented; the result is one student network. The student
 * runs in inference mode during distillation (its BatchNorm running statistics and dropout as pre-trained), so the
 * frozen part of the network is exactly the pre-trained one. An adapter student (LoRA) is the business of
 * tribuo-peft, whose trainers take an objective of their own; {@code bench robust --mode distil} shows one.
 * <p>
 * The result is an ordinary, immutable {@link NetworkModel} of the student's architecture. Its provenance holds this
 * trainer's settings, the teacher's and the pre-trained student's provenance (and the SHA-256 of their files when read
 * from files), the tuned weights and how many values they hold.
 */
public final class RobustDistillationTrainer extends SeededTrainer<NetworkModel> {

    /** Run-provenance key of the teacher's provenance ({@code -sha256} appended: its file's hash). */
    public static final String TEACHER = "teacher-model";
    /** Run-provenance key of the pre-trained student's provenance ({@code -sha256} appended: its file's hash). */
    public static final String STUDENT = "student-model";
    /** Run-provenance key of the names of the tuned weights, comma-separated. */
    public static final String TUNED_WEIGHTS = "tuned-weights";
    /** Run-provenance key of the number of tuned values. */
    public static final String TUNED_VALUES = "tuned-values";
    /** Run-provenance key of the number of values of the whole student. */
    public static final String STUDENT_VALUES = "student-values";

    @Config(description = "Tribuo model file of the robust teacher (any network-backed classifier).")
    private Path teacherModelPath;

    @Config(description = "Tribuo model file of the pre-trained student (a NetworkModel).")
    private Path studentModelPath;

    @Config(description = "Paths of the student's layers to tune (each with the layers below it).")
    private List<String> tunedLayers = new ArrayList<>();

    @Config(description = "Indices of the student's layers to tune, counted among its layers with weights in forward "
            + "order; negative indices count from the end (-1 is the output layer).")
    private int[] tunedLayerIndices = new int[0];

    @Config(description = "The softmax temperature T of the teacher's and the student's soft labels.")
    private double temperature = 4.0;

    @Config(description = "The weight lambda of the distillation term; the cross-entropy on the labels weighs 1 - lambda.")
    private double distillationWeight = 0.9;

    @Config(description = "Standard deviation of the Gaussian noise added to each distillation input (clipped to "
            + "[0, 1]); 0 distils on clean inputs.")
    private double noiseStd = 0.0;

    @Config(mandatory = true, description = "The optimiser of the tuned weights.")
    private OptimiserFactory optimiser;

    @Config(description = "Passes over the training data.")
    private int epochs = 3;

    @Config(description = "Minibatch size.")
    private int batchSize = 64;

    private transient TrainingListener listener = TrainingListener.NONE;

    /** For OLCUT. */
    private RobustDistillationTrainer() {}

    /**
     * Creates a trainer for a teacher and a student given to {@link #train(Dataset, AbstractNetworkModel, NetworkModel)}.
     * @param tunedLayers Paths of the layers to tune.
     * @param tunedLayerIndices Indices of layers with weights to tune (negative from the end).
     * @param temperature The temperature.
     * @param distillationWeight The weight of the distillation term, in [0, 1].
     * @param noiseStd The Gaussian input noise, 0 for none.
     * @param optimiser The optimiser.
     * @param epochs The epochs.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     */
    public RobustDistillationTrainer(List<String> tunedLayers, int[] tunedLayerIndices, double temperature,
                                     double distillationWeight, double noiseStd, OptimiserFactory optimiser,
                                     int epochs, int batchSize, long seed) {
        this.tunedLayers = new ArrayList<>(tunedLayers);
        this.tunedLayerIndices = tunedLayerIndices.clone();
        this.temperature = temperature;
        this.distillationWeight = distillationWeight;
        this.noiseStd = noiseStd;
        this.optimiser = optimiser;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        postConfig();
    }

    /**
     * Reads the teacher and the student from Tribuo model files, for {@link #train(Dataset)}.
     * @param teacher The teacher's file.
     * @param student The pre-trained student's file.
     * @return This trainer.
     */
    public RobustDistillationTrainer withModelFiles(Path teacher, Path student) {
        this.teacherModelPath = teacher;
        this.studentModelPath = student;
        postConfig();
        return this;
    }

    @Override
    public synchronized void postConfig() {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new PropertyException("", "temperature", "temperature must be positive and finite, found " + temperature);
        }
        if (!(distillationWeight >= 0 && distillationWeight <= 1)) {
            throw new PropertyException("", "distillationWeight", "distillationWeight must be in [0, 1], found "
                    + distillationWeight);
        }
        if (!(noiseStd >= 0) || Double.isInfinite(noiseStd)) {
            throw new PropertyException("", "noiseStd", "noiseStd must be finite and >= 0, found " + noiseStd);
        }
        if (tunedLayers.isEmpty() && tunedLayerIndices.length == 0) {
            throw new PropertyException("", "tunedLayers", "no layer to tune: set tunedLayers or tunedLayerIndices");
        }
        if (epochs < 1) {
            throw new PropertyException("", "epochs", "epochs must be at least 1, found " + epochs);
        }
        if (batchSize < 1) {
            throw new PropertyException("", "batchSize", "batchSize must be at least 1, found " + batchSize);
        }
        if ((teacherModelPath == null) != (studentModelPath == null)) {
            throw new PropertyException("", teacherModelPath == null ? "teacherModelPath" : "studentModelPath",
                    "teacherModelPath and studentModelPath are set together");
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
     * Distils the teacher and student read from the configured model files.
     * @throws IllegalStateException if no model files are configured.
     */
    @Override
    public NetworkModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        if (teacherModelPath == null) {
            throw new IllegalStateException("no teacher and student configured: set teacherModelPath and "
                    + "studentModelPath, or call train(dataset, teacher, student)");
        }
        Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
        AbstractNetworkModel teacher = AbstractNetworkModel.require(
                BaseModels.load(teacherModelPath, TEACHER, instance), "the teacher file " + teacherModelPath);
        NetworkModel student = NetworkModel.require(
                BaseModels.load(studentModelPath, STUDENT, instance), "the student file " + studentModelPath);
        return distil(examples, teacher, student, instance, invocationCount);
    }

    /**
     * Distils a teacher held in memory into a fraction of a student held in memory.
     * @param examples The distillation data, labelled.
     * @param teacher The robust teacher.
     * @param student The pre-trained student; it is not changed.
     * @return The tuned student.
     * @throws IllegalArgumentException if the data is empty, the teacher and student predict different labels or read
     * different features, the data has a label the student does not predict, or a tuned layer is unknown.
     */
    public NetworkModel train(Dataset<Label> examples, AbstractNetworkModel teacher, NetworkModel student) {
        return distil(examples, teacher, student, new LinkedHashMap<>(), INCREMENT_INVOCATION_COUNT);
    }

    private NetworkModel distil(Dataset<Label> examples, AbstractNetworkModel teacher, NetworkModel student,
                                Map<String, Provenance> instance, int invocationCount) {
        BaseModels.checkDatasetLabels(examples, student);
        DistillationBatchObjective.checkCompatible(teacher, student);
        DistillationLoss loss = new DistillationLoss(temperature, distillationWeight);
        ImmutableFeatureMap featureMap = student.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputInfo = student.getOutputIDInfo();
        TensorDataset data = TensorDataset.from(examples, new FeatureTensorizer(featureMap, student.inputShape()),
                outputInfo);
        try (Network network = student.newNetwork()) {
            List<String> layers = TunedLayers.resolve(network, tunedLayers, tunedLayerIndices);
            List<String> tuned = TunedLayers.tuneOnly(network, layers);
            TrainerInvocations.Invocation<TrainerProvenance> invocation = startRun(invocationCount);
            SplittableRandom localRNG = invocation.rng();
            DjlRuntime.seedNativeRandom(localRNG.nextLong());
            DistillationBatchObjective objective = DistillationBatchObjective.of(teacher, student, loss, noiseStd,
                    localRNG.split());
            NetworkFit.Result result = new NetworkFit(new TrainingLoop(epochs, batchSize, 0.0, epochs))
                    .fit(network, optimiser, data, null, objective, localRNG, listener);
            instance.put(TEACHER, teacher.getProvenance());
            instance.put(STUDENT, student.getProvenance());
            instance.put(NetworkProvenance.INITIAL_WEIGHTS_SHA256, new StringProvenance(
                    NetworkProvenance.INITIAL_WEIGHTS_SHA256, NetworkProvenance.sha256(student.weightBytes())));
            instance.put(TUNED_WEIGHTS, new StringProvenance(TUNED_WEIGHTS, String.join(",", tuned)));
            instance.put(TUNED_VALUES, new LongProvenance(TUNED_VALUES, network.countWeights(true)));
            instance.put(STUDENT_VALUES, new LongProvenance(STUDENT_VALUES, network.countWeights(false)));
            instance.putAll(result.provenance());
            ModelProvenance provenance = new ModelProvenance(NetworkModel.class.getName(), OffsetDateTime.now(),
                    examples.getProvenance(), invocation.provenance(), instance);
            return new NetworkModel("robust-distillation-model", provenance, featureMap, outputInfo, student.spec(),
                    result.weights(), result.history());
        }
    }

    @Override
    public String toString() {
        return "RobustDistillationTrainer(tunedLayers=" + tunedLayers + ",tunedLayerIndices="
                + Arrays.toString(tunedLayerIndices) + ",temperature=" + temperature + ",distillationWeight="
                + distillationWeight + ",noiseStd=" + noiseStd + ",optimiser=" + optimiser + ",epochs=" + epochs
                + ",batchSize=" + batchSize + ",seed=" + seed + (teacherModelPath == null ? "" : ",teacher="
                + teacherModelPath + ",student=" + studentModelPath) + ")";
    }
}
