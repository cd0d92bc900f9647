package org.tribuoadapt.peft.flora;

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

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One FLoRA adapter at one layer (Si et al. 2024): the update is a Tucker product of a trainable core with
 * one trainable factor per mode of the weight, {@code dW = s G x_in U_in x_out U_out (x_h U_h x_w U_w)}, built like the
 * authors' code: the core {@code flora_core} is {@code [r, r]} for a Linear layer (so {@code dW = U_out G^T U_in^T}) and
 * {@code [r, r, rk, rk]} for a Conv2d layer, with the factors {@code flora_in} {@code [in, r]}, {@code flora_out}
 * {@code [out, r]} and, for convolutions, {@code flora_kernel_h} and {@code flora_kernel_w} {@code [k, rk]}. The core
 * starts at zero and the factors kaiming-normal ({@code a = sqrt 3}, fan-in r), so the adapter starts as a no-op. The
 * update is applied with the layer's own operation (a convolution keeps its kernel, stride and padding).
 */
public final class FloraModule extends AdapterModule {

    private final int rank;
    private final double scale;
    private final Parameter core;
    private final Parameter inFactor;
    private final Parameter outFactor;
    private final Parameter kernelH;
    private final Parameter kernelW;
    private final Dropout dropout;
    private final Map<String, Parameter> tensors = new LinkedHashMap<>();

    FloraModule(TargetLayer target, NDManager manager, int rank, int kernelRank, double scale, double dropoutRate,
                SplittableRandom rng) {
        super(target);
        this.rank = rank;
        this.scale = scale;
        int k = target.kernelSize();
        int rk = Math.min(kernelRank, k);
        this.core = add(manager, "flora_core", target.isConv() ? new Shape(rank, rank, rk, rk) : new Shape(rank, rank));
        this.inFactor = factor(manager, "flora_in", target.inFeatures(), rank, rng);
        this.outFactor = factor(manager, "flora_out", target.outFeatures(), rank, rng);
        this.kernelH = target.isConv() ? factor(manager, "flora_kernel_h", k, rk, rng) : null;
        this.kernelW = target.isConv() ? factor(manager, "flora_kernel_w", k, rk, rng) : null;
        this.dropout = dropoutRate > 0 ? addChild("flora_dropout", new Dropout(dropoutRate)) : null;
    }

    private Parameter add(NDManager manager, String name, Shape shape) {
        Parameter p = addWeight(manager, name, shape);
        tensors.put(name, p);
        return p;
    }

    /** A mode factor {@code [dim, r]}, kaiming-normal with {@code a = sqrt 3}: standard deviation {@code 1 / sqrt(2 r)}. */
    private Parameter factor(NDManager manager, String name, int dim, int r, SplittableRandom rng) {
        Parameter p = add(manager, name, new Shape(dim, r));
        p.assign(Initializers.normal(dim * r, 1.0 / Math.sqrt(2.0 * r), rng));
        return p;
    }

    /** The scaled update {@code dW}, shaped like the weight. */
    private NDArray update() {
        NDArray g = core.array();
        if (!target().isConv()) {
            return TapeConstants.timesInPlace(outFactor.array().matMul(g.transpose()).matMul(inFactor.array().transpose()), scale);
        }
        long in = target().inFeatures();
        long out = target().outFeatures();
        long k = target().kernelSize();
        long rk = kernelH.shape().get(1);
        // mode in: [in, r] x core[r, r * rk * rk] -> [in, r, rk, rk]; then mode out on the second axis
        NDArray t = inFactor.array().matMul(g.reshape(rank, (long) rank * rk * rk)).reshape(in, rank, rk * rk)
                .transpose(1, 0, 2).reshape(rank, in * rk * rk);
        t = outFactor.array().matMul(t).reshape(out * in, rk, rk);
        // kernel modes: contract the last axis with U_w, then (after swapping) the height axis with U_h
        t = t.matMul(kernelW.array().transpose());
        t = t.transpose(0, 2, 1).matMul(kernelH.array().transpose()).transpose(0, 2, 1);
        return TapeConstants.timesInPlace(t.reshape(out, in, k, k), scale);
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        NDArray x = dropout != null && context.isTraining() ? dropout.apply(input, context) : input;
        return output.add(target().apply(x, update(), null));
    }

    @Override
    public void mergeIntoTarget() {
        target().weight().copyFrom(target().weight().array().add(update()));
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        return Collections.unmodifiableMap(tensors);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public String describe() {
        return "FLoRA(r=" + rank + ", scale=" + scale + ")";
    }
}
