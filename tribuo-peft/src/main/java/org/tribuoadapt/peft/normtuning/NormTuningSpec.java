package org.tribuoadapt.peft.normtuning;

import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.delta.ParameterTuningSpec;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.EnumSet;
import java.util.Set;

/**
 * Norm-only tuning: only the affine parameters (scale {@code gamma} and shift {@code beta}) of the targeted BatchNorm
 * and LayerNorm layers are fine-tuned (as in "Training BatchNorm and only BatchNorm", Frankle et al. 2021, applied to
 * a pre-trained network, and LayerNorm tuning, Zhao et al. 2024). BatchNorm layers keep normalising with the base's
 * running statistics, so the adapted layer computes {@code gamma' xhat + beta'} with the frozen {@code xhat}. The
 * adapter file holds the tuned values under the base parameters' names ({@code base_model.model.<layer>.weight},
 * {@code .bias}) with {@code peft_type} {@value #PEFT_TYPE}. Trainable values: twice the targets' feature counts.
 */
public final class NormTuningSpec extends ParameterTuningSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "NORM_TUNING";

    /** For OLCUT. */
    private NormTuningSpec() {}

    /**
     * Creates a norm-tuning spec.
     * @param targets The BatchNorm and LayerNorm layers to tune (and modules to save).
     */
    public NormTuningSpec(AdapterTargets targets) {
        super(targets);
        postConfig();
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    protected Set<TargetLayer.Kind> kinds() {
        return EnumSet.of(TargetLayer.Kind.BATCH_NORM, TargetLayer.Kind.LAYER_NORM);
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
    public static NormTuningSpec fromPeftConfig(PeftConfigJson json) {
        return new NormTuningSpec(readTargets(json));
    }
}
