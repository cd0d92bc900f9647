package org.tribuoadapt.peft.diffora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.lora.LoraModule;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One candidate module of DiffoRA's relaxation (Jiang et al. 2025) at one Linear or Conv2d layer: a LoRA adapter
 * ({@code lora_A.weight}, {@code lora_B.weight}, LoRA's initialisation) and a logit {@code diffora_logit} {@code a},
 * starting at 0. The layer computes the mixture {@code (1 - w) f0(x) + w fL(x)} of the frozen layer {@code f0} and the
 * LoRA-adapted layer {@code fL}, with {@code w = sigmoid(a)} ({@link ModuleSelection#mixingWeight}). The mixture is
 * linear in the weights, so it merges as {@code W0 + w dW}.
 */
public final class DifforaModule extends AdapterModule {

    /** The logit's tensor name. */
    public static final String LOGIT = "diffora_logit";

    private final LoraModule lora;
    private final Parameter logit;

    DifforaModule(TargetLayer target, NDManager manager, int rank, double scaling, SplittableRandom rng) {
        super(target);
        this.lora = addChild("lora", LoraModule.plain(target, manager, rank, scaling, rng));
        this.logit = addWeight(manager, LOGIT, new Shape(1));
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        NDArray adapted = lora.adapt(input, baseOutput, output, context);
        NDArray weight = logit.array().neg().exp().add(1f).pow(-1f);
        return output.add(adapted.sub(output).mul(weight));
    }

    @Override
    public void mergeIntoTarget() {
        Parameter weight = target().weight();
        float w = (float) importance();
        try (NDScope ignored = new NDScope()) {
            NDArray before = weight.array().duplicate();
            lora.mergeIntoTarget();
            weight.copyFrom(before.add(weight.array().sub(before).mul(w)));
        }
    }

    /**
     * The logit, trained on the held-out split by {@link DifforaSearch}.
     * @return The logit parameter.
     */
    Parameter logit() {
        return logit;
    }

    /**
     * The module's importance: the LoRA branch's mixing weight.
     * @return {@code sigmoid(a)}.
     */
    public double importance() {
        return ModuleSelection.mixingWeight(logit.toFloatArray()[0]);
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>(lora.peftTensors());
        out.put(LOGIT, logit);
        return out;
    }

    @Override
    public int rank() {
        return lora.rank();
    }

    @Override
    public String describe() {
        return "DiffoRA(" + lora.describe() + ", weight=" + importance() + ")";
    }
}
