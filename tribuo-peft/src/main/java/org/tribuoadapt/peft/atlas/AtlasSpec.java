package org.tribuoadapt.peft.atlas;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * aTLAS (Zhang et al. 2024, "Knowledge Composition using Task Vectors with Learned Anisotropic Scaling"):
 * {@code theta = theta_0 + sum_t Lambda_t tau_t}, where {@code tau_t = theta_t - theta_0} are the task vectors of
 * networks fine-tuned from the base on other tasks and {@code Lambda_t} is block-diagonal: one learned coefficient per
 * task and per parameter block (each targeted layer's weight and bias), starting at zero. Only the coefficients train.
 * Targets may be Linear, Conv2d, BatchNorm and LayerNorm layers (a normalisation layer's scale and shift; BatchNorm
 * statistics stay the base's).
 * <p>
 * With {@code partitions = K > 1} this is the paper's aTLAS x K: every entry of every block is
 * assigned uniformly at random to one of {@code K} partitions, and each task has one coefficient per block and
 * partition, {@code theta = theta_0 + sum_t sum_k lambda[t, block, k] (mask_k ⊙ tau_t)}. The assignment is drawn from
 * the adapter's seed and saved with the adapter. (The authors' code draws one assignment per parameter shape and only
 * partitions matrices; here every block, biases and convolution kernels included, has its own.)
 * <p>
 * For training, {@code fineTunedWeights} lists safetensors files of the fine-tuned networks' weights (PyTorch names);
 * the task vectors are computed against the base the adapter is applied to and kept as frozen tensors of the adapter,
 * so a saved adapter or a trained model needs no file. The exported form ({@link #export}) records the number of
 * tasks and the files' SHA-256 instead of their paths; {@code fineTunedWeightsSha256}, when given, is checked against
 * the files; each file is read and hashed once per addition of the adapter, however many layers it targets. Trainable
 * values per layer: {@code T K} times its number of blocks (1 or 2). The adapter file uses our own {@code peft_type}
 * {@value #PEFT_TYPE} with the fields {@code tasks}, {@code partitions} and {@code fine_tuned_weights_sha256}.
 */
public final class AtlasSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "ATLAS";

    /** The key of the fine-tuned weight files, read once per addition of the adapter. */
    private static final String FILES = "atlas.fineTunedWeights";

    @Config(description = "Safetensors files with the weights of networks fine-tuned from the base on other tasks.")
    private List<Path> fineTunedWeights = new ArrayList<>();

    @Config(description = "The number of task vectors, for an adapter whose task vectors come with its tensors (instead of "
            + "fineTunedWeights).")
    private int tasks = 0;

    @Config(description = "The SHA-256 of each fine-tuned weights file, checked when they are read.")
    private List<String> fineTunedWeightsSha256 = new ArrayList<>();

    @Config(description = "The number K of random partitions of each parameter block, each with its own coefficient per "
            + "task (aTLAS x K); 1 learns one coefficient per task and block.")
    private int partitions = 1;

    /** For OLCUT. */
    private AtlasSpec() {}

    /**
     * Creates an aTLAS spec that computes its task vectors from fine-tuned weights.
     * @param targets The layers whose blocks are combined (and modules to save).
     * @param fineTunedWeights Files with the fine-tuned networks' weights, one per task.
     */
    public AtlasSpec(AdapterTargets targets, List<Path> fineTunedWeights) {
        this(targets, fineTunedWeights, 0, List.of(), 1);
    }

    /**
     * Creates an aTLAS spec.
     * @param targets The layers whose blocks are combined (and modules to save).
     * @param fineTunedWeights Files with the fine-tuned networks' weights, or empty.
     * @param tasks The number of task vectors when no files are given (their values come with the adapter's tensors).
     * @param fineTunedWeightsSha256 The files' hashes, or empty.
     * @param partitions The number K of random partitions of each block (1 for one coefficient per task and block).
     */
    public AtlasSpec(AdapterTargets targets, List<Path> fineTunedWeights, int tasks, List<String> fineTunedWeightsSha256,
                     int partitions) {
        super(targets);
        this.fineTunedWeights = new ArrayList<>(fineTunedWeights);
        this.tasks = tasks;
        this.fineTunedWeightsSha256 = new ArrayList<>(fineTunedWeightsSha256);
        this.partitions = partitions;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        if (tasks < 0) {
            throw new PropertyException("", "tasks", "tasks must be positive, found " + tasks);
        }
        if (partitions < 1) {
            throw new PropertyException("", "partitions", "partitions must be a positive integer, found " + partitions);
        }
        if (fineTunedWeights.isEmpty() == (tasks == 0)) {
            throw new PropertyException("", "fineTunedWeights", fineTunedWeights.isEmpty()
                    ? "give fineTunedWeights (files of networks fine-tuned from the base) or tasks (the number of task "
                    + "vectors a saved adapter holds)" : "give either fineTunedWeights or tasks, not both");
        }
        if (!fineTunedWeightsSha256.isEmpty() && fineTunedWeightsSha256.size() != taskCount()) {
            throw new PropertyException("", "fineTunedWeightsSha256", "fineTunedWeightsSha256 has "
                    + fineTunedWeightsSha256.size() + " hashes for " + taskCount() + " task vectors");
        }
    }

    /** @return The number of task vectors T. */
    public int taskCount() {
        return fineTunedWeights.isEmpty() ? tasks : fineTunedWeights.size();
    }

    /** @return The number K of random partitions of each block. */
    public int partitions() {
        return partitions;
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public boolean supports(TargetLayer.Kind kind) {
        return true;
    }

    private List<TaskVectorFile> readFiles() {
        List<TaskVectorFile> files = new ArrayList<>();
        for (int t = 0; t < fineTunedWeights.size(); t++) {
            files.add(TaskVectorFile.read(fineTunedWeights.get(t),
                    fineTunedWeightsSha256.isEmpty() ? null : fineTunedWeightsSha256.get(t)));
        }
        return files;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        List<TaskVectorFile> files = context.computeOnce(FILES, this::readFiles);
        return new AtlasModule(target, context.manager(), taskCount(), partitions, files, context.streamFor(target));
    }

    /**
     * The form that needs no file: the number of tasks and the files' hashes in place of their paths (the task
     * vectors are among the tensors).
     * @param tensors The adapter's tensors.
     * @return The exported adapter.
     */
    @Override
    public ExportedAdapter export(Map<String, TensorData> tensors) {
        if (fineTunedWeights.isEmpty()) {
            return new ExportedAdapter(this, tensors);
        }
        List<String> hashes = new ArrayList<>();
        for (TaskVectorFile file : readFiles()) {
            hashes.add(file.sha256());
        }
        return new ExportedAdapter(new AtlasSpec(targets(), List.of(), taskCount(), hashes, partitions), tensors);
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("tasks", taskCount())
                .put("partitions", partitions)
                .put("fine_tuned_weights_sha256", fineTunedWeightsSha256.isEmpty() ? null : fineTunedWeightsSha256);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static AtlasSpec fromPeftConfig(PeftConfigJson json) {
        return new AtlasSpec(readTargets(json), List.of(), json.integer("tasks", 0), json.strings("fine_tuned_weights_sha256"),
                json.integer("partitions", 1));
    }

    @Override
    public String toString() {
        return "AtlasSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave()
                + (fineTunedWeights.isEmpty() ? ",tasks=" + tasks : ",fineTunedWeights=" + fineTunedWeights)
                + (fineTunedWeightsSha256.isEmpty() ? "" : ",fineTunedWeightsSha256=" + fineTunedWeightsSha256)
                + (partitions == 1 ? "" : ",partitions=" + partitions) + ")";
    }
}
