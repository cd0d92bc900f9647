package org.tribuoadapt.peft.ltsft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.delta.ParameterDeltaModule;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The difference an LT-SFT fine-tuning makes to one layer (Ansell et al. 2022): trainable differences
 * {@code sft_delta.weight} and {@code sft_delta.bias} (starting at zero) and frozen 0/1 masks {@code sft_mask.weight}
 * and {@code sft_mask.bias}; the layer's parameters are {@code theta_0 + mask ⊙ delta}. With all-one masks this is full
 * fine-tuning of the layer; with the masks of the K most changed entries, gradients reach only those entries, as the
 * authors' gradient masking does.
 */
public final class SparseDifferenceModule extends ParameterDeltaModule {

    private final Parameter weightDelta;
    private final Parameter biasDelta;
    private final Parameter weightMask;
    private final Parameter biasMask;
    private final Map<String, Parameter> tensors = new LinkedHashMap<>();

    SparseDifferenceModule(TargetLayer target, NDManager manager) {
        super(target);
        this.weightDelta = add(addWeight(manager, "sft_delta.weight", target.weight().shape()));
        this.biasDelta = target.bias() == null ? null : add(addWeight(manager, "sft_delta.bias", target.bias().shape()));
        this.weightMask = add(mask(manager, "sft_mask.weight", target.weight()));
        this.biasMask = target.bias() == null ? null : add(mask(manager, "sft_mask.bias", target.bias()));
    }

    private Parameter add(Parameter p) {
        tensors.put(p.name(), p);
        return p;
    }

    private Parameter mask(NDManager manager, String name, Parameter like) {
        return register(new Parameter(name, Parameter.Kind.BUFFER, manager.ones(like.shape())));
    }

    @Override
    protected NDArray weightDelta() {
        return weightDelta.array().mul(weightMask.array());
    }

    @Override
    protected NDArray biasDelta() {
        return biasDelta == null ? null : biasDelta.array().mul(biasMask.array());
    }

    /**
     * The L1 distance of this layer's parameters from their pre-trained values, {@code sum |mask ⊙ delta|}, the term
     * LT-SFT's regularisation adds up over layers (Ansell et al. 2022).
     * @return A scalar, recorded for gradients when they are being recorded.
     */
    NDArray l1Distance() {
        NDArray distance = weightDelta().abs().sum();
        NDArray bias = biasDelta();
        return bias == null ? distance : distance.add(bias.abs().sum());
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /**
     * The number of entries this layer tunes: the ones in its masks.
     * @return The count.
     */
    @Override
    public int rank() {
        int kept = 0;
        for (float m : weightMask.toFloatArray()) {
            kept += m != 0 ? 1 : 0;
        }
        for (float m : biasMask == null ? new float[0] : biasMask.toFloatArray()) {
            kept += m != 0 ? 1 : 0;
        }
        return kept;
    }

    @Override
    public String describe() {
        return "SparseDifference(" + rank() + " entries)";
    }
}
