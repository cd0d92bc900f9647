package org.tribuoadapt.peft.spt;

import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.peft.ltsft.LtSftSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The adapter SPT trains (He et al. 2023, "Sensitivity-Aware Visual Parameter-Efficient Fine-Tuning"): on the targeted
 * layers listed in {@code loraLayers} a LoRA module (structured tuning, {@code W + s B A}); on every other targeted
 * layer a masked difference {@code W + mask ⊙ delta} over the weights SPT found sensitive (unstructured tuning, the
 * module LT-SFT uses). Both fold into the base weights. {@link SptTrainer} chooses the layers and the masks from the
 * weights' sensitivity; the spec alone gives all-one masks, which is full fine-tuning of the unstructured layers.
 * <p>
 * The adapter file uses our own {@code peft_type} {@value #PEFT_TYPE}; its tensors are LoRA's
 * ({@code lora_A.weight}, {@code lora_B.weight}, named as in PEFT) on the LoRA layers and the dense differences and 0/1
 * masks ({@code sft_delta.*}, {@code sft_mask.*}) on the others. Targets may be Linear and Conv2d layers.
 */
public final class SptSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "SPT";

    @Config(description = "The rank r of the LoRA modules of structured tuning (the authors' low_rank_dim).")
    private int loraRank = 8;

    @Config(description = "LoRA's alpha; the scaling is alpha / r.")
    private double loraAlpha = 8.0;

    @Config(description = "The targeted layers that get a LoRA module instead of a masked difference; SptTrainer fills it.")
    private List<String> loraLayers = new ArrayList<>();

    private transient LoraSpec lora;
    private transient LtSftSpec unstructured;

    /** For OLCUT. */
    private SptSpec() {}

    /**
     * Creates a spec.
     * @param targets The layers SPT may tune (and the modules trained fully).
     * @param loraRank The rank of the LoRA modules.
     * @param loraAlpha LoRA's alpha.
     * @param loraLayers The targeted layers that get a LoRA module.
     */
    public SptSpec(AdapterTargets targets, int loraRank, double loraAlpha, List<String> loraLayers) {
        super(targets);
        this.loraRank = loraRank;
        this.loraAlpha = loraAlpha;
        this.loraLayers = new ArrayList<>(loraLayers);
        postConfig();
    }

    /**
     * Creates a spec before the selection: rank 8 and alpha 8 (the authors' default rank), no LoRA layers yet.
     * @param targets The layers SPT may tune (and the modules trained fully).
     */
    public SptSpec(AdapterTargets targets) {
        this(targets, 8, 8.0, List.of());
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("loraRank", loraRank);
        requirePositive("loraAlpha", loraAlpha);
        lora = new LoraSpec(targets(), loraRank, loraAlpha);
        unstructured = new LtSftSpec(targets());
    }

    /**
     * This spec with other LoRA layers.
     * @param layers The targeted layers that get a LoRA module.
     * @return A new spec.
     */
    public SptSpec withLoraLayers(List<String> layers) {
        return new SptSpec(targets(), loraRank, loraAlpha, layers);
    }

    /** @return The rank of the LoRA modules. */
    public int loraRank() {
        return loraRank;
    }

    /** @return The layers with a LoRA module. */
    public List<String> loraLayers() {
        return List.copyOf(loraLayers);
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return loraLayers.contains(target.path()) ? lora.createModule(target, context)
                : unstructured.createModule(target, context);
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("r", loraRank)
                .put("lora_alpha", loraAlpha)
                .put("lora_layers", loraLayers);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static SptSpec fromPeftConfig(PeftConfigJson json) {
        return new SptSpec(readTargets(json), json.integer("r", 8), json.number("lora_alpha", 8.0),
                json.strings("lora_layers"));
    }

    @Override
    public String toString() {
        return "SptSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",loraRank=" + loraRank
                + ",loraAlpha=" + loraAlpha + ",loraLayers=" + loraLayers + ")";
    }
}
