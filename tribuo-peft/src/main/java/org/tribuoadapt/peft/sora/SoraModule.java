package org.tribuoadapt.peft.sora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.Dropout;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.TargetLayer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One SoRA adapter at one Linear or Conv2d layer (Ding et al. 2023): the output gains
 * {@code s B (g ⊙ (A dropout(x)))} with {@code sora_A} {@code [r, in]} (a convolution with the base kernel, stride and
 * padding on Conv2d layers), {@code sora_B} {@code [out, r]} (a 1x1 convolution) and the gate {@code sora_gate}
 * {@code [r]}. As in the authors' code {@code A} starts kaiming-uniform, {@code B} at zero and {@code g} from
 * {@code N(0, 1)}. The gate is trained by its own optimiser ({@link GateOptimiser}), whose proximal step drives
 * unneeded ranks to exactly zero.
 */
public final class SoraModule extends AdapterModule {

    private final int rank;
    private final double scaling;
    private final Parameter loraA;
    private final Parameter loraB;
    private final Parameter gate;
    private final Dropout dropout;

    SoraModule(TargetLayer target, NDManager manager, int rank, double scaling, double dropoutRate,
               SplittableRandom rng) {
        super(target);
        this.rank = rank;
        this.scaling = scaling;
        int out = target.outFeatures();
        int k = target.kernelSize();
        this.loraA = addWeight(manager, "sora_A",
                target.isConv() ? new Shape(rank, target.inFeatures(), k, k) : new Shape(rank, target.inFeatures()));
        this.loraB = addWeight(manager, "sora_B", target.isConv() ? new Shape(out, rank, 1, 1) : new Shape(out, rank));
        this.gate = addWeight(manager, "sora_gate", new Shape(rank));
        this.dropout = dropoutRate > 0 ? addChild("sora_dropout", new Dropout(dropoutRate)) : null;
        loraA.assign(Initializers.kaimingUniform(Math.toIntExact(loraA.size()), target.fanIn(), rng));
        gate.assign(Initializers.normal(rank, 1.0, rng));
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        TargetLayer target = target();
        NDArray x = dropout != null && context.isTraining() ? dropout.apply(input, context) : input;
        NDArray hidden = target.apply(x, loraA.array(), null);
        hidden = hidden.mul(gate.array().reshape(target.featureBroadcast(rank, hidden.getShape().dimension())));
        return output.add(TapeConstants.timesInPlace(target.applyPointwise(hidden, loraB.array()), scaling));
    }

    @Override
    public void mergeIntoTarget() {
        TargetLayer target = target();
        NDArray gated = loraB.array().reshape(target.outFeatures(), rank).mul(gate.array().reshape(1, rank));
        NDArray delta = TapeConstants.timesInPlace(gated.matMul(loraA.array().reshape(rank, target.fanIn())), scaling);
        target.weight().copyFrom(target.weight().array().add(target.unflatten(delta)));
    }

    /**
     * The gate, which {@link GateOptimiser} trains.
     * @return The gate parameter.
     */
    Parameter gate() {
        return gate;
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("sora_A", loraA);
        out.put("sora_B", loraB);
        out.put("sora_gate", gate);
        return out;
    }

    /**
     * The effective rank: the number of nonzero gate values.
     * @return The ranks still in use.
     */
    @Override
    public int rank() {
        int used = 0;
        for (float g : gate.toFloatArray()) {
            if (g != 0) {
                used++;
            }
        }
        return used;
    }

    @Override
    public String describe() {
        return "SoRA(r=" + rank + ", scaling=" + scaling + ")";
    }
}
