package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.TrainingPlan;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.io.Serializable;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration of one adapter method (PEFT's {@code LoraConfig}, {@code IA3Config}, ...): which layers it
 * targets, which layers it trains fully, and how it builds the module that wraps each target. A spec is an
 * immutable OLCUT component with its own provenance; the framework ({@link PeftNetwork}) does the targeting,
 * freezing, merging and saving for every method.
 * <p>
 * To add a method, implement a spec (usually by extending {@link AbstractAdapterSpec}), an {@link AdapterModule} and a
 * {@link PeftMethod} in the method's own package, and name the {@code PeftMethod} in
 * {@code META-INF/services/org.tribuoadapt.peft.PeftMethod}.
 */
public interface AdapterSpec extends Configurable, Provenancable<ConfiguredObjectProvenance>, Serializable {

    /**
     * The method's name in PEFT's {@code peft_type} field, e.g. {@code LORA}.
     * @return The type.
     */
    String peftType();

    /**
     * The targeting rules.
     * @return The targets.
     */
    AdapterTargets targets();

    /**
     * The layers trained fully (and saved with the adapter), for example a new classification head.
     * @return The layer names, matched like target names.
     */
    List<String> modulesToSave();

    /**
     * Whether this method can wrap a layer of the given kind. By default a method adapts Linear and Conv2d layers;
     * methods that tune normalisation layers also accept BatchNorm and LayerNorm.
     * @param kind The layer kind.
     * @return True if supported.
     */
    default boolean supports(TargetLayer.Kind kind) {
        return kind == TargetLayer.Kind.LINEAR || kind == TargetLayer.Kind.CONV2D;
    }

    /**
     * Creates the tensors shared between the adapter's targets, before any module is built (VeRA's frozen random
     * projections). Most methods share nothing.
     * @param targets Every target of the adapter.
     * @param manager The network's memory.
     * @param seed The adapter's seed.
     * @return Shared tensors by PEFT name; saved as {@code base_model.<name>}.
     */
    default Map<String, Parameter> createSharedTensors(List<TargetLayer> targets, NDManager manager, long seed) {
        return Collections.emptyMap();
    }

    /**
     * Whether the shared tensors are saved with the adapter (VeRA's {@code save_projection}); when they are not, they
     * are regenerated from the spec when the adapter is loaded.
     * @return True to save them.
     */
    default boolean savesSharedTensors() {
        return true;
    }

    /**
     * Why this method's adapters cannot be folded into the base weights, or empty when they can (the default). A
     * non-linear adapter such as a bottleneck adapter (a ReLU between its projections) computes what no change of the
     * base weights computes; {@link PeftNetwork#merge()} refuses it with this reason.
     * @return The reason, or empty.
     */
    default Optional<String> unmergeableReason() {
        return Optional.empty();
    }

    /**
     * Builds the module of this adapter at one target, with freshly initialised trainable parameters.
     * @param target The targeted layer.
     * @param context The adapter's name, memory, seed and shared tensors.
     * @return The module.
     */
    AdapterModule createModule(TargetLayer target, AdapterContext context);

    /**
     * Writes this configuration in PEFT's {@code adapter_config.json} form.
     * @return The configuration.
     */
    PeftConfigJson toPeftConfig();

    /**
     * The form in which a trained adapter is saved and kept in models. By default it is this spec with the tensors
     * unchanged; a method overrides it to drop what only training needs, for example SoRA prunes the ranks whose gate
     * is zero (Ding et al. 2023). The exported adapter must compute what this one computes.
     * @param tensors The adapter's tensors under PEFT's names.
     * @return The configuration and tensors to save.
     */
    default ExportedAdapter export(Map<String, TensorData> tensors) {
        return new ExportedAdapter(this, tensors);
    }

    /**
     * What a trainer records in the model's provenance about the export, beyond the exported configuration: for
     * example DiffoRA's learned module importances and the modules its discretisation kept (Jiang et al. 2025). By
     * default nothing.
     * @param tensors The trained adapter's tensors under PEFT's names, before {@link #export}.
     * @return Provenance entries by key.
     */
    default Map<String, Provenance> describeExport(Map<String, TensorData> tensors) {
        return Collections.emptyMap();
    }

    /**
     * Checks, before the adapter is written in PEFT's format, that PEFT can load it. By default every adapter can; a
     * method overrides this to refuse what this project supports but PEFT rejects.
     * @param tensors The exported tensors under PEFT's names.
     * @throws IllegalArgumentException naming what PEFT cannot load.
     */
    default void requireLoadableByPeft(Map<String, TensorData> tensors) {}

    /**
     * Changes how the optimiser of this adapter's training steps its parameters, for methods whose learning rate
     * depends on the parameters, such as ALLoRA's per-row rate (Huang and Balestriero 2024). By default the
     * optimiser is used as it is.
     * @param optimiser The optimiser {@link PeftNetwork#createOptimiser} built; the result owns it.
     * @param modules The adapter's modules.
     * @return The optimiser to train with.
     */
    default NetworkOptimiser adaptOptimiser(NetworkOptimiser optimiser, List<AdapterModule> modules) {
        return optimiser;
    }

    /**
     * The parameters of this adapter that the method trains with an optimiser of its own instead of the trainer's,
     * such as SoRA's gates (Ding et al. 2023), which take a proximal step after each Adam step. Most methods have none.
     * @param modules The adapter's modules.
     * @return The parameters the trainer's optimiser must leave alone.
     */
    default List<Parameter> separatelyOptimised(List<AdapterModule> modules) {
        return Collections.emptyList();
    }

    /**
     * Creates the optimiser of the parameters named by {@link #separatelyOptimised}.
     * @param parameters Those parameters.
     * @param plan The training run.
     * @param trainerLearningRate The learning rate of the trainer's optimiser, for methods that default to it.
     * @return A new optimiser; the caller closes it.
     * @throws UnsupportedOperationException if this method optimises nothing separately.
     */
    default NetworkOptimiser separateOptimiser(List<Parameter> parameters, TrainingPlan plan, double trainerLearningRate) {
        throw new UnsupportedOperationException(peftType() + " has no separately optimised parameters");
    }

    /**
     * A term the method adds to the training loss, such as SoRA's L1 penalty on its gates (Ding et al. 2023); computed
     * while gradients are recorded. Most methods add nothing.
     * @param modules The adapter's modules.
     * @return The scalar penalty, or empty.
     */
    default Optional<NDArray> trainingPenalty(List<AdapterModule> modules) {
        return Optional.empty();
    }
}
