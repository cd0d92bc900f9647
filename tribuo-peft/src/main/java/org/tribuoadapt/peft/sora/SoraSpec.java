package org.tribuoadapt.peft.sora;

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

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SoRA (Ding et al. 2023, "Sparse Low-rank Adaptation of Pre-trained Language Models"): LoRA with a gate
 * {@code g} of length r between its factors, {@code h = W0 x + s B (g ⊙ (A x))} with {@code s = alpha / r}. The gate's
 * L1 penalty is optimised by proximal gradient: after each optimiser step, {@code g = sign(g) max(|g| - lambda, 0)}
 * (the authors' {@code SparseAdamW} with the threshold {@code sparse_lambda_2}), so ranks whose gate reaches zero stop
 * contributing. When the adapter is exported (saved, or kept in a trained model) those ranks are pruned: the rows of
 * {@code A}, the columns of {@code B} and the gate entries with a zero gate are removed, and the module's remaining
 * rank is recorded in {@code moduleRanks} (each module becomes a concise LoRA of its learned rank; a
 * module whose gates are all zero keeps one zero rank). The scaling stays {@code alpha / r} with the configured r.
 * <p>
 * Trainable values per layer: {@code r (fanIn + out + 1)}. The adapter file uses our own {@code peft_type}
 * {@value #PEFT_TYPE} with the fields {@code r}, {@code sora_alpha}, {@code sora_dropout}, {@code sparse_lambda} and
 * {@code module_ranks} (layer path to pruned rank).
 */
public final class SoraSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "SORA";

    private static final String GATE = "sora_gate";

    @Config(description = "The initial rank r of every module.")
    private int rank = 8;

    @Config(description = "The scaling numerator (scaling = alpha / r).")
    private double alpha = 16;

    @Config(description = "Dropout probability on the adapter's input.")
    private double dropout = 0.0;

    @Config(description = "The soft threshold lambda of the gate's proximal step after each optimiser step.")
    private double sparseLambda = 1e-3;

    @Config(description = "Ranks left after pruning, by exact layer path (written on export); other layers have rank r.")
    private Map<String, Integer> moduleRanks = new LinkedHashMap<>();

    /** For OLCUT. */
    private SoraSpec() {}

    /**
     * Creates a SoRA spec without dropout or pruned ranks.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The initial rank.
     * @param alpha The scaling numerator.
     * @param sparseLambda The gate's soft threshold per step.
     */
    public SoraSpec(AdapterTargets targets, int rank, double alpha, double sparseLambda) {
        this(targets, rank, alpha, 0.0, sparseLambda, Map.of());
    }

    /**
     * Creates a SoRA spec.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The initial rank.
     * @param alpha The scaling numerator.
     * @param dropout Dropout on the adapter's input.
     * @param sparseLambda The gate's soft threshold per step.
     * @param moduleRanks Pruned ranks by exact layer path.
     */
    public SoraSpec(AdapterTargets targets, int rank, double alpha, double dropout, double sparseLambda,
                    Map<String, Integer> moduleRanks) {
        super(targets);
        this.rank = rank;
        this.alpha = alpha;
        this.dropout = dropout;
        this.sparseLambda = sparseLambda;
        this.moduleRanks = new LinkedHashMap<>(moduleRanks);
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("rank", rank);
        requirePositive("alpha", alpha);
        requireDropout("dropout", dropout);
        if (!(sparseLambda >= 0) || Double.isInfinite(sparseLambda)) {
            throw new PropertyException("", "sparseLambda", "sparseLambda must be finite and at least 0, found " + sparseLambda);
        }
        for (Map.Entry<String, Integer> e : moduleRanks.entrySet()) {
            if (e.getValue() == null || e.getValue() < 1 || e.getValue() > rank) {
                throw new PropertyException("", "moduleRanks", "moduleRanks['" + e.getKey() + "'] must be between 1 and the "
                        + "rank " + rank + ", found " + e.getValue());
            }
        }
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    /**
     * The rank of the module at a layer.
     * @param path The layer's path.
     * @return Its pruned rank, or r.
     */
    public int rank(String path) {
        return moduleRanks.getOrDefault(path, rank);
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new SoraModule(target, context.manager(), rank(target.path()), alpha / rank, dropout, sparseLambda,
                context.streamFor(target));
    }

    /**
     * Prunes the ranks whose gate is zero (Ding et al. 2023).
     * @param tensors The adapter's tensors.
     * @return This spec with the pruned ranks in {@code moduleRanks} and the pruned tensors; this spec and the tensors
     * unchanged when no gate is zero.
     */
    @Override
    public ExportedAdapter export(Map<String, TensorData> tensors) {
        Map<String, TensorData> pruned = new LinkedHashMap<>(tensors);
        Map<String, Integer> ranks = new LinkedHashMap<>(moduleRanks);
        boolean changed = false;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            if (e.getKey().endsWith("." + GATE)) {
                String prefix = e.getKey().substring(0, e.getKey().length() - GATE.length());
                int kept = RankPruning.prune(prefix, e.getValue().toFloatArray(), pruned);
                if (kept < e.getValue().numElements()) {
                    changed = true;
                    ranks.put(RankPruning.layerPath(prefix), kept);
                }
            }
        }
        return changed ? new ExportedAdapter(new SoraSpec(targets(), rank, alpha, dropout, sparseLambda, ranks), pruned)
                : new ExportedAdapter(this, tensors);
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("r", rank)
                .put("sora_alpha", alpha)
                .put("sora_dropout", dropout)
                .put("sparse_lambda", sparseLambda)
                .put("module_ranks", moduleRanks);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static SoraSpec fromPeftConfig(PeftConfigJson json) {
        return new SoraSpec(readTargets(json), json.integer("r", 8), json.number("sora_alpha", 16),
                json.number("sora_dropout", 0.0), json.number("sparse_lambda", 1e-3), json.integerMap("module_ranks"));
    }

    @Override
    public String toString() {
        return "SoraSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",alpha=" + alpha
                + ",dropout=" + dropout + ",sparseLambda=" + sparseLambda
                + (moduleRanks.isEmpty() ? "" : ",moduleRanks=" + moduleRanks) + ")";
    }
}
