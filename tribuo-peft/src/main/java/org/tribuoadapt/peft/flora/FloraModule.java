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

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One FLoRA adapter at one layer (Si et al. 2024): the update is a Tucker product of a trainable core with
 * one trainable factor per mode of the weight, {@code dW = s G x_in U_in x_out U_out (x_h U_h x_w U_w)}, built like the
 * authors' code, with one rank per mode: the core {@code flora_core} is {@code [r_in, r_out]} for a Linear layer (so
 * {@code dW = U_out G^T U_in^T}) and {@code [r_in, r_out, r_h, r_w]} for a Conv2d layer, with the factors
 * {@code flora_in} {@code [in, r_in]}, {@code flora_out} {@code [out, r_out]} and, for convolutions,
 * {@code flora_kernel_h} {@code [k, r_h]} and {@code flora_kernel_w} {@code [k, r_w]}. The core starts at zero and the
 * factors kaiming-normal ({@code a = sqrt 3}, fan-in their rank), so the adapter starts as a no-op. The update is
 * applied with the layer's own operation (a convolution keeps its kernel, stride and padding).
 */
public final class FloraModule extends AdapterModule {

    private final int inRank;
    private final int outRank;
    private final double scale;
    private final Parameter core;
    private final Parameter inFactor;
    private final Parameter outFactor;
    private final Parameter kernelH;
    private final Parameter kernelW;
    private final Dropout dropout;
    private final Map<String, Parameter> tensors = new LinkedHashMap<>();

    /**
     * Creates the module.
     * @param target The layer.
     * @param manager The network's memory.
     * @param inRank The rank of the input mode.
     * @param outRank The rank of the output mode.
     * @param kernelHeightRank The rank of the kernel height mode of a convolution (capped at the kernel size).
     * @param kernelWidthRank The rank of the kernel width mode of a convolution (capped at the kernel size).
     * @param scale The scale.
     * @param dropoutRate Dropout on the input.
     * @param rng The initial values' stream.
     */
    FloraModule(TargetLayer target, NDManager manager, int inRank, int outRank, int kernelHeightRank, int kernelWidthRank,
                double scale, double dropoutRate, SplittableRandom rng) {
        super(target);
        this.inRank = inRank;
        this.outRank = outRank;
        this.scale = scale;
        int k = target.kernelSize();
        int rh = Math.min(kernelHeightRank, k);
        int rw = Math.min(kernelWidthRank, k);
        this.core = add(manager, "flora_core", target.isConv() ? new Shape(inRank, outRank, rh, rw) : new Shape(inRank, outRank));
        this.inFactor = factor(manager, "flora_in", target.inFeatures(), inRank, rng);
        this.outFactor = factor(manager, "flora_out", target.outFeatures(), outRank, rng);
        this.kernelH = target.isConv() ? factor(manager, "flora_kernel_h", k, rh, rng) : null;
        this.kernelW = target.isConv() ? factor(manager, "flora_kernel_w", k, rw, rng) : null;
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
        long rh = kernelH.shape().get(1);
        long rw = kernelW.shape().get(1);
        // mode in: [in, r_in] x core[r_in, r_out * rh * rw] -> [in, r_out, rh * rw]; then mode out on the first axis
        NDArray t = inFactor.array().matMul(g.reshape(inRank, outRank * rh * rw)).reshape(in, outRank, rh * rw)
                .transpose(1, 0, 2).reshape(outRank, in * rh * rw);
        t = outFactor.array().matMul(t).reshape(out * in, rh, rw);
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

    /**
     * The bound on the rank of the update as a matrix {@code [out, in k k]}: {@code min(r_out, r_in)} for a Linear
     * layer, {@code min(r_out, r_in r_h r_w)} for a Conv2d layer.
     * @return The bound.
     */
    @Override
    public int rank() {
        long inner = kernelH == null ? inRank : (long) inRank * kernelH.shape().get(1) * kernelW.shape().get(1);
        return (int) Math.min(outRank, inner);
    }

    @Override
    public String describe() {
        return "FLoRA(ranks=" + Arrays.toString(core.shape().getShape()) + ", scale=" + scale + ")";
    }
}
