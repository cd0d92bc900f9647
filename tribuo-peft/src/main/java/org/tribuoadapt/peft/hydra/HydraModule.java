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
 * One Hydra adapter at one Linear or Conv2d layer (Kim et al. 2024): the parallel branch
 * {@code hydra_parallel.down.weight} ({@code [rp, in]}, or {@code [rp, in, k, k]}) and {@code hydra_parallel.up.weight}
 * ({@code [out, rp]}), and the sequential branch {@code hydra_sequential.down.weight} ({@code [rs, out]}) and
 * {@code hydra_sequential.up.weight} ({@code [out, rs]}), the last three with trailing {@code 1, 1} on convolutions.
 * With biases each branch's up-projection also has a zero-initialised bias, {@code hydra_parallel.up.bias} and
 * {@code hydra_sequential.up.bias} ({@code [out]}), which merging folds into the layer's bias.
 */
public final class HydraModule extends AdapterModule {

    private final int parallelRank;
    private final int sequentialRank;
    private final double scale;
    private final Parameter parallelDown;
    private final Parameter parallelUp;
    private final Parameter parallelBias;
    private final Parameter sequentialDown;
    private final Parameter sequentialUp;
    private final Parameter sequentialBias;
    private final Dropout dropout;

    HydraModule(TargetLayer target, NDManager manager, int parallelRank, int sequentialRank, double scale,
                double dropoutRate, boolean bias, SplittableRandom rng) {
        super(target);
        this.parallelRank = parallelRank;
        this.sequentialRank = sequentialRank;
        this.scale = scale;
        int out = target.outFeatures();
        int k = target.kernelSize();
        boolean conv = target.isConv();
        this.parallelDown = addWeight(manager, "hydra_parallel.down.weight",
                conv ? new Shape(parallelRank, target.inFeatures(), k, k) : new Shape(parallelRank, target.inFeatures()));
        this.parallelUp = addWeight(manager, "hydra_parallel.up.weight", pointwise(out, parallelRank));
        this.parallelBias = bias ? addWeight(manager, "hydra_parallel.up.bias", new Shape(out)) : null;
        this.sequentialDown = addWeight(manager, "hydra_sequential.down.weight", pointwise(sequentialRank, out));
        this.sequentialUp = addWeight(manager, "hydra_sequential.up.weight", pointwise(out, sequentialRank));
        this.sequentialBias = bias ? addWeight(manager, "hydra_sequential.up.bias", new Shape(out)) : null;
        this.dropout = dropoutRate > 0 ? addChild("hydra_dropout", new Dropout(dropoutRate)) : null;
        xavierUniform(parallelDown, target.fanIn(), parallelRank * k * k, rng);
        xavierUniform(sequentialDown, out, sequentialRank, rng);
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
        NDArray branches = parallel.add(sequential);
        if (parallelBias != null) {
            Shape broadcast = target.featureBroadcast(target.outFeatures(), branches.getShape().dimension());
            branches = branches.add(parallelBias.array().add(sequentialBias.array()).reshape(broadcast));
        }
        return output.add(TapeConstants.timesInPlace(branches, scale));
    }

    /**
     * Folds both branches into the layer: {@code W = W0 + s (Bp Ap + Bs As W0)} and, with a bias,
     * {@code b = b0 + s (Bs As b0 + bp + bs)} (the branch biases need the layer to have a bias, which the spec
     * ensures).
     */
    @Override
    public void mergeIntoTarget() {
        mergeIntoTarget(MergeBase.of(target()));
    }

    /**
     * The sequential branch mixes the base output, so its part of the change is computed from the weight and bias that
     * compute the base output in the forward pass.
     */
    @Override
    public void mergeIntoTarget(MergeBase base) {
        TargetLayer target = target();
        int out = target.outFeatures();
        NDArray weight = target.flatten(target.weight().array());
        NDArray mixing = sequentialUp.array().reshape(out, sequentialRank)
                .matMul(sequentialDown.array().reshape(sequentialRank, out));
        NDArray parallel = parallelUp.array().reshape(out, parallelRank)
                .matMul(parallelDown.array().reshape(parallelRank, target.fanIn()));
        NDArray delta = parallel.add(mixing.matMul(target.flatten(base.inputScaledWeight()))).muli(scale);
        target.weight().copyFrom(weight.add(delta).reshape(target.weightShape()));
        if (target.bias() != null) {
            NDArray bias = target.bias().array();
            NDArray shift = mixing.matMul(base.inputShiftedBias().reshape(out, 1)).reshape(out);
            if (parallelBias != null) {
                shift = shift.add(parallelBias.array()).add(sequentialBias.array());
            }
            target.bias().copyFrom(bias.add(shift.muli(scale)));
        }
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("hydra_parallel.down.weight", parallelDown);
        out.put("hydra_parallel.up.weight", parallelUp);
        if (parallelBias != null) {
            out.put("hydra_parallel.up.bias", parallelBias);
        }
        out.put("hydra_sequential.down.weight", sequentialDown);
        out.put("hydra_sequential.up.weight", sequentialUp);
        if (sequentialBias != null) {
            out.put("hydra_sequential.up.bias", sequentialBias);
        }
        return out;
    }

    /**
     * The bound on the rank of the update, {@code rp + rs}.
     * @return The sum of the branches' ranks.
     */
    @Override
    public int rank() {
        return parallelRank + sequentialRank;
    }

    @Override
    public String describe() {
        return "Hydra(parallel r=" + parallelRank + ", sequential r=" + sequentialRank + ", scale=" + scale
                + (parallelBias != null ? ", biases" : "") + ")";
    }
}
