package org.tribuoadapt.peft.layertuning;

import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.delta.ParameterTuningSpec;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.EnumSet;
import java.util.Set;

/**
 * Layer tuning: the whole weight and bias of the targeted Linear and Conv2d layers are fine-tuned, starting from the
 * base values, while everything else stays frozen. Targeting only the classifier ({@code head}) is head-only
 * fine-tuning, the cheapest baseline of few-shot source-free domain adaptation (Lee et al. 2023, "Few-shot
 * Fine-tuning is All You Need for Source-free Domain Adaptation"). Unlike a module to save, the tuned layer is an
 * adapter, so it needs no other target and merges exactly. The adapter file holds the tuned values under the base
 * parameters' names ({@code base_model.model.<layer>.weight}, {@code .bias}) with {@code peft_type}
 * {@value #PEFT_TYPE}; PEFT has no such tuner. A targeted layer without a bias is an error. Trainable values: the
 * targets' weight and bias sizes.
 */
public final class LayerTuningSpec extends ParameterTuningSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "LAYER_TUNING";

    /** For OLCUT. */
    private LayerTuningSpec() {}

    /**
     * Creates a layer-tuning spec.
     * @param targets The Linear and Conv2d layers to tune (and modules to save).
     */
    public LayerTuningSpec(AdapterTargets targets) {
        super(targets);
        postConfig();
    }

    /**
     * Head-only fine-tuning: tunes the layer named {@code head} and nothing else.
     * @return The spec.
     */
    public static LayerTuningSpec headOnly() {
        return new LayerTuningSpec(AdapterTargets.modules("head"));
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    protected Set<TargetLayer.Kind> kinds() {
        return EnumSet.of(TargetLayer.Kind.LINEAR, TargetLayer.Kind.CONV2D);
    }

    @Override
    protected boolean tunesWeight() {
        return true;
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static LayerTuningSpec fromPeftConfig(PeftConfigJson json) {
        return new LayerTuningSpec(readTargets(json));
    }
}
