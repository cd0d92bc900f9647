package org.tribuoadapt.peft.diffora;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DiffoRA (Jiang et al. 2025, "DiffoRA: Enabling Parameter-Efficient LLM Fine-Tuning via Differential Low-Rank Matrix
 * Adaptation", arXiv 2502.08905): every targeted layer is a candidate module with a LoRA adapter and a logit; the
 * network computes the continuous relaxation of the binary "adapt this module or not" ({@link DifforaModule},
 * {@link ModuleSelection}); after training, the discretisation keeps LoRA only on the {@code ceil(budgetRatio * n)}
 * modules of largest importance {@code sigmoid(logit)}.
 * <p>
 * {@link DifforaSearch} runs the paper's procedure: the LoRA weights and the logits are trained alternately, the
 * weights on training batches and the logits on a held-out split, then the discretised LoRA adapter, whose weights
 * are those the search learned (weight sharing), is fine-tuned. A relaxed adapter trained by another trainer (such as
 * {@code PeftTrainer}, where the logits train with the weights on the same batches) is discretised when it is
 * exported ({@link #export}).
 * <p>
 * Our readings, where the paper's details were not available to us: the relaxation is a two-way softmax with the
 * "no adapter" logit fixed at 0 (so a sigmoid), logits start at 0 (weight 0.5); on discretisation each kept module's
 * {@code lora_B} is multiplied by its mixing weight, so a kept module computes at first exactly what it computed in the
 * relaxed network; the default budget ratio is 0.5.
 * <p>
 * Trainable values per candidate layer during the search: {@code r (fanIn + out) + 1}. The relaxed adapter's file uses
 * our own {@code peft_type} {@value #PEFT_TYPE} with LoRA's tensors plus {@code diffora_logit} and the fields
 * {@code r}, {@code lora_alpha} and {@code budget_ratio}; the discretised adapter is PEFT's {@code LORA}.
 */
public final class DifforaSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "DIFFORA";

    /** Model-provenance key of the learned importance of every candidate module. */
    public static final String IMPORTANCES = "diffora.importances";

    /** Model-provenance key of the modules the discretisation kept. */
    public static final String SELECTED = "diffora.selected";

    private static final String LORA_B = "lora_B.weight";

    @Config(description = "The LoRA rank r of every candidate module.")
    private int rank = 8;

    @Config(description = "The LoRA scaling numerator (scaling = alpha / r).")
    private double alpha = 8;

    @Config(description = "The share of candidate modules that keep their LoRA adapter, in (0, 1]; ceil(budgetRatio * n) "
            + "are kept.")
    private double budgetRatio = 0.5;

    /** For OLCUT. */
    private DifforaSpec() {}

    /**
     * Creates a DiffoRA spec.
     * @param targets The candidate modules (and modules to save).
     * @param rank The LoRA rank.
     * @param alpha The LoRA scaling numerator.
     * @param budgetRatio The share of candidates kept, in (0, 1].
     */
    public DifforaSpec(AdapterTargets targets, int rank, double alpha, double budgetRatio) {
        super(targets);
        this.rank = rank;
        this.alpha = alpha;
        this.budgetRatio = budgetRatio;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("rank", rank);
        requirePositive("alpha", alpha);
        try {
            ModuleSelection.requireRatio(budgetRatio);
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", "budgetRatio", e.getMessage());
        }
    }

    /**
     * The share of candidate modules kept.
     * @return The budget ratio.
     */
    public double budgetRatio() {
        return budgetRatio;
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new DifforaModule(target, context.manager(), rank, alpha / rank, context.streamFor(target));
    }

    /**
     * The learned importance of every candidate module, {@code sigmoid(logit)}.
     * @param tensors The relaxed adapter's tensors.
     * @return Importance by layer path, in the tensors' order.
     * @throws IllegalArgumentException if there is no candidate module.
     */
    public static Map<String, Double> importances(Map<String, TensorData> tensors) {
        Map<String, Double> out = new LinkedHashMap<>();
        String suffix = "." + DifforaModule.LOGIT;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(PeftNetwork.MODEL_PREFIX) && key.endsWith(suffix)) {
                String path = key.substring(PeftNetwork.MODEL_PREFIX.length(), key.length() - suffix.length());
                out.put(path, ModuleSelection.mixingWeight(e.getValue().toFloatArray()[0]));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("DiffoRA needs at least one candidate module, but the adapter's tensors have "
                    + "no " + DifforaModule.LOGIT);
        }
        return out;
    }

    /**
     * The discretisation (Jiang et al. 2025): keeps LoRA on the top {@code ceil(budgetRatio * n)} modules by importance
     * and drops the others' adapters and every logit. Each kept {@code lora_B} absorbs its module's mixing weight.
     * @param tensors The relaxed adapter's tensors.
     * @return A {@link LoraSpec} targeting exactly the kept modules (rank and alpha as this spec, modules to save as
     * this spec) and its tensors in PEFT's LoRA layout.
     */
    @Override
    public ExportedAdapter export(Map<String, TensorData> tensors) {
        Map<String, Double> importances = importances(tensors);
        List<String> kept = ModuleSelection.topK(importances, budgetRatio);
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String module = candidateOf(e.getKey(), importances);
            if (module == null) {
                out.put(e.getKey(), e.getValue());
            } else if (kept.contains(module) && !e.getKey().endsWith("." + DifforaModule.LOGIT)) {
                out.put(e.getKey(), e.getKey().endsWith("." + LORA_B)
                        ? scaled(e.getValue(), importances.get(module)) : e.getValue());
            }
        }
        AdapterTargets targets = new AdapterTargets(kept, null, List.of(), modulesToSave());
        return new ExportedAdapter(new LoraSpec(targets, rank, alpha), out);
    }

    /**
     * Records the learned importances ({@value #IMPORTANCES}, layer path to {@code sigmoid(logit)}) and the kept
     * modules ({@value #SELECTED}).
     * @param tensors The relaxed adapter's tensors.
     * @return The two entries.
     */
    @Override
    public Map<String, Provenance> describeExport(Map<String, TensorData> tensors) {
        Map<String, Double> importances = importances(tensors);
        return describeSelection(importances, ModuleSelection.topK(importances, budgetRatio));
    }

    /**
     * The provenance entries of a selection: {@value #IMPORTANCES} (layer path to importance) and {@value #SELECTED}.
     * @param importances The learned importances.
     * @param selected The kept modules.
     * @return The two entries.
     */
    public static Map<String, Provenance> describeSelection(Map<String, Double> importances, List<String> selected) {
        Map<String, DoubleProvenance> recorded = new LinkedHashMap<>();
        importances.forEach((path, value) -> recorded.put(path, new DoubleProvenance(path, value)));
        List<StringProvenance> kept = new ArrayList<>();
        for (String path : selected) {
            kept.add(new StringProvenance(SELECTED, path));
        }
        Map<String, Provenance> out = new LinkedHashMap<>();
        out.put(IMPORTANCES, new MapProvenance<>(recorded));
        out.put(SELECTED, new ListProvenance<>(kept));
        return out;
    }

    /** The candidate module a tensor belongs to, or null for other tensors (modules to save). */
    private static String candidateOf(String key, Map<String, Double> importances) {
        for (String path : importances.keySet()) {
            String prefix = PeftNetwork.MODEL_PREFIX + path + ".";
            if (key.startsWith(prefix)) {
                String name = key.substring(prefix.length());
                if (name.equals(DifforaModule.LOGIT) || name.equals(LORA_B) || name.equals("lora_A.weight")) {
                    return path;
                }
            }
        }
        return null;
    }

    private static TensorData scaled(TensorData tensor, double factor) {
        float[] values = tensor.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (values[i] * factor);
        }
        return TensorData.ofFloats(tensor.shape(), values);
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("r", rank)
                .put("lora_alpha", alpha)
                .put("budget_ratio", budgetRatio);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static DifforaSpec fromPeftConfig(PeftConfigJson json) {
        return new DifforaSpec(readTargets(json), json.integer("r", 8), json.number("lora_alpha", 8),
                json.number("budget_ratio", 0.5));
    }

    @Override
    public String toString() {
        return "DifforaSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",alpha=" + alpha
                + ",budgetRatio=" + budgetRatio + ")";
    }
}
