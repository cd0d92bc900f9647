package org.tribuoadapt.peft.hydra;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.Dropout;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.MergeBase;
import org.tribuoadapt.peft.TargetLayer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One Hydra adapter at one Linear or Conv2d layer: the parallel branch {@code hydra_parallel.down.weight}
 * ({@code [r, in]}, or {@code [r, in, k, k]}) and {@code hydra_parallel.up.weight} ({@code [out, r]}), and the
 * sequential branch {@code hydra_sequential.down.weight} ({@code [r, out]}) and {@code hydra_sequential.up.weight}
 * ({@code [out, r]}), the last three with trailing {@code 1, 1} on convolutions (Kim et al. 2024).
 */
public final class HydraModule extends AdapterModule {

    private final int rank;
    private final double scale;
    private final Parameter parallelDown;
    private final Parameter parallelUp;
    private final Parameter sequentialDown;
    private final Parameter sequentialUp;
    private final Dropout dropout;

    HydraModule(TargetLayer target, NDManager manager, int rank, double scale, double dropoutRate, SplittableRandom rng) {
        super(target);
        this.rank = rank;
        this.scale = scale;
        int out = target.outFeatures();
        int k = target.kernelSize();
        boolean conv = target.isConv();
        this.parallelDown = addWeight(manager, "hydra_parallel.down.weight",
                conv ? new Shape(rank, target.inFeatures(), k, k) : new Shape(rank, target.inFeatures()));
        this.parallelUp = addWeight(manager, "hydra_parallel.up.weight", pointwise(out, rank));
        this.sequentialDown = addWeight(manager, "hydra_sequential.down.weight", pointwise(rank, out));
        this.sequentialUp = addWeight(manager, "hydra_sequential.up.weight", pointwise(out, rank));
        this.dropout = dropoutRate > 0 ? addChild("hydra_dropout", new Dropout(dropoutRate)) : null;
        xavierUniform(parallelDown, target.fanIn(), rank * k * k, rng);
        xavierUniform(sequentialDown, out, rank, rng);
    }

    private Shape pointwise(int rows, int columns) {
        return target().isConv() ? new Shape(rows, columns, 1, 1) : new Shape(rows, columns);
    }

    /** Glorot and Bengio 2010, as PyTorch's {@code xavier_uniform_}: {@code U(-a, a)}, {@code a = sqrt(6 / (fanIn + fanOut))}. */
    private static void xavierUniform(Parameter p, int fanIn, int fanOut, SplittableRandom rng) {
        p.assign(Initializers.uniform(Math.toIntExact(p.size()), Math.sqrt(6.0 / (fanIn + fanOut)), rng));
    }

    private NDArray hidden(NDArray h, ForwardContext context) {
        return dropout != null && context.isTraining() ? dropout.apply(h, context) : h;
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        TargetLayer target = target();
        NDArray parallel = target.applyPointwise(hidden(target.apply(input, parallelDown.array(), null), context),
                parallelUp.array());
        NDArray sequential = target.applyPointwise(hidden(target.applyPointwise(baseOutput, sequentialDown.array()), context),
                sequentialUp.array());
        return output.add(TapeConstants.timesInPlace(parallel.add(sequential), scale));
    }

    @Override
    public void mergeIntoTarget() {
        mergeIntoTarget(MergeBase.of(target()));
    }

    /** The sequential branch mixes the base output, so its part of the change is computed from the base weight and bias. */
    @Override
    public void mergeIntoTarget(MergeBase base) {
        TargetLayer target = target();
        int out = target.outFeatures();
        NDArray weight = target.flatten(target.weight().array());
        NDArray mixing = sequentialUp.array().reshape(out, rank).matMul(sequentialDown.array().reshape(rank, out));
        NDArray parallel = parallelUp.array().reshape(out, rank).matMul(parallelDown.array().reshape(rank, target.fanIn()));
        NDArray delta = parallel.add(mixing.matMul(target.flatten(base.inputScaledWeight()))).muli(scale);
        target.weight().copyFrom(weight.add(delta).reshape(target.weightShape()));
        if (target.bias() != null) {
            NDArray bias = target.bias().array();
            target.bias().copyFrom(bias.add(mixing.matMul(base.bias().reshape(out, 1)).reshape(out).muli(scale)));
        }
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("hydra_parallel.down.weight", parallelDown);
        out.put("hydra_parallel.up.weight", parallelUp);
        out.put("hydra_sequential.down.weight", sequentialDown);
        out.put("hydra_sequential.up.weight", sequentialUp);
        return out;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public String describe() {
        return "Hydra(r=" + rank + ", scale=" + scale + ")";
    }
}
