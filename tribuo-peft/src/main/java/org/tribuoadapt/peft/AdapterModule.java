package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;

import java.util.Map;

/**
 * The part of one named adapter that lives at one targeted layer: its trainable parameters and the maths of the
 * method (PEFT's per-adapter entries in {@code lora_A}, {@code ia3_l}, {@code hada_w1_a}, ...). An
 * {@link AdaptedLayer} holds the frozen base layer and one module per adapter, runs the base layer and lets every
 * active module change the result.
 * <p>
 * Modules are {@link Layer}s so that their parameters appear in the network's parameter list (and so in the
 * training loop and the state dict), but they are never run on their own: the adapted layer calls
 * {@link #transformInput} and {@link #adapt}. Subclasses register their tensors with {@link #addWeight} and name them
 * for the PEFT file format in {@link #peftTensors()}.
 */
public abstract class AdapterModule extends Layer {

    private final TargetLayer target;

    /**
     * Creates a module for a target.
     * @param target The targeted layer.
     */
    protected AdapterModule(TargetLayer target) {
        this.target = target;
    }

    /**
     * The layer this module adapts.
     * @return The target.
     */
    public TargetLayer target() {
        return target;
    }

    /**
     * Changes the input the base layer sees (IA3 scales the input of feed-forward layers). The default returns it
     * unchanged.
     * @param input The layer's input.
     * @param context The forward context.
     * @return The input for the base layer.
     */
    public NDArray transformInput(NDArray input, ForwardContext context) {
        return input;
    }

    /**
     * Whether this module runs the base layer itself ({@link #runBase}), for a method that changes the base layer's own
     * computation rather than its input or output: prefix tuning extends an attention layer's keys and values. At most
     * one active module at a layer may. The default is false.
     * @return True if {@link #runBase} replaces the plain call of the base layer.
     */
    public boolean runsBase() {
        return false;
    }

    /**
     * Runs the frozen base layer on the input, in place of a plain call, when {@link #runsBase()}. The default runs it
     * as it is.
     * @param base The base layer (the target).
     * @param input The input as the active modules' {@link #transformInput} changed it.
     * @param context The forward context.
     * @return The base output that {@link #adapt} receives.
     */
    public NDArray runBase(Layer base, NDArray input, ForwardContext context) {
        return base.apply(input, context);
    }

    /**
     * Applies this adapter to the layer's result.
     * @param input The layer's input (before {@link #transformInput}).
     * @param baseOutput The frozen base layer's output alone.
     * @param output The output so far (the base output changed by the adapters applied before this one).
     * @param context The forward context; dropout is active when it is a training context.
     * @return The new output.
     */
    public abstract NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context);

    /**
     * Folds this adapter, alone at its layer, into the target's weight (and bias) in place, so that the base layer
     * alone computes what the adapted layer computed. Called with gradients disabled inside an {@link NDScope} that
     * frees the temporaries; the caller keeps the previous values.
     */
    public abstract void mergeIntoTarget();

    /**
     * Folds {@link #transformInput} into the target's weight in place. When the adapted layer merges a stack, it calls
     * this for every active module first, since the base layer runs on the input as all of them changed it. The
     * default does nothing, for modules that leave the input unchanged.
     */
    public void mergeInputTransform() {}

    /**
     * Folds this adapter into the target's weight (and bias) in place as one of the stack of active adapters at its
     * layer, after every module's {@link #mergeInputTransform} and the modules active before it: the target then holds
     * the output so far of the forward pass, and {@code base} the frozen base layer whose output {@link #adapt}
     * receives. The default calls {@link #mergeIntoTarget()}, which is right for modules that add a change not
     * depending on the base weight; modules whose change depends on it (DoRA, Hydra) or that scale the output so far
     * (IA3) override this.
     * @param base The base layer as the forward pass sees it.
     */
    public void mergeIntoTarget(MergeBase base) {
        mergeIntoTarget();
    }

    /**
     * This module's tensors under the names PEFT gives them inside the module, e.g. {@code lora_A.weight} or
     * {@code ia3_l}; the file key is {@code base_model.model.<target path>.<name>}.
     * @return An ordered map from PEFT name to parameter.
     */
    public abstract Map<String, Parameter> peftTensors();

    /**
     * The rank of this module (the inner dimension of its factorisation), recorded in provenance; methods without a
     * rank report the number of trainable values per output feature they add.
     * @return The rank.
     */
    public abstract int rank();

    /**
     * Called when the adapter is deleted, so that a method which changed the base weight at initialisation (PiSSA)
     * can restore it. The default does nothing.
     */
    public void restoreTarget() {}

    /**
     * The change this module makes to the target's weight, {@code W' - W}, computed by merging into a copy. Weighted
     * combination ({@code svd}) uses it to turn any additive adapter into a low-rank one.
     * @param manager Memory for the result.
     * @return The weight delta, shaped like the weight.
     * @throws UnsupportedOperationException if merging also changes the bias (the change is not a weight delta).
     */
    public NDArray deltaWeight(NDManager manager) {
        Parameter weight = target.weight();
        Parameter bias = target.bias();
        try (GradientMode ignored = GradientMode.disabled(); NDScope scope = new NDScope()) {
            NDArray before = weight.array().duplicate();
            NDArray biasBefore = bias == null ? null : bias.array().duplicate();
            mergeIntoTarget();
            NDArray delta = weight.array().sub(before);
            boolean biasChanged = bias != null && !bias.array().contentEquals(biasBefore);
            weight.copyFrom(before);
            if (bias != null) {
                bias.copyFrom(biasBefore);
            }
            if (biasChanged) {
                throw new UnsupportedOperationException("the adapter at '" + target.path() + "' also changes the bias when "
                        + "merged, so it has no pure weight delta");
            }
            NDScope.unregister(delta);
            delta.attach(manager);
            return delta;
        }
    }

    @Override
    protected final NDArray forward(NDArray input, ForwardContext context) {
        throw new IllegalStateException("adapter module '" + path() + "' runs inside its AdaptedLayer, not on its own");
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        return target.layer().outputShape(inputShape);
    }
}
