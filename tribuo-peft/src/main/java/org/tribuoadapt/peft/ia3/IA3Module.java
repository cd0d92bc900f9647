package org.tribuoadapt.peft.ia3;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.MergeBase;
import org.tribuoadapt.peft.TargetLayer;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * One (IA)^3 vector at one layer (PEFT's {@code ia3_l}), stored in PEFT's shape: {@code [1, in]} for a feed-forward
 * Linear layer, {@code [out, 1]} for another Linear layer, {@code [1, channels, 1, 1]} for a Conv2d layer. Merging
 * scales the weight's columns (feed-forward: the base layer's input, before the other adapters at the layer are
 * merged) or the rows and bias of the output so far (otherwise), which is exact.
 */
public final class IA3Module extends AdapterModule {

    private final boolean feedforward;
    private final Parameter vector;

    IA3Module(TargetLayer target, NDManager manager, boolean feedforward, boolean ones, SplittableRandom rng) {
        super(target);
        this.feedforward = feedforward;
        int n = feedforward ? target.inFeatures() : target.outFeatures();
        Shape shape = target.isConv() ? new Shape(1, n, 1, 1) : feedforward ? new Shape(1, n) : new Shape(n, 1);
        this.vector = addWeight(manager, "ia3_l", shape);
        vector.assign(ones ? Initializers.constant(n, 1f) : Initializers.normal(n, 1.0, rng));
    }

    /** The vector shaped to broadcast over the layer's input or output. */
    private NDArray activationScale() {
        return vector.array().reshape(target().outputBroadcast(vector.size()));
    }

    @Override
    public NDArray transformInput(NDArray input, ForwardContext context) {
        return feedforward ? input.mul(activationScale()) : input;
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        return feedforward ? output : output.mul(activationScale());
    }

    @Override
    public void mergeIntoTarget() {
        mergeInputTransform();
        mergeIntoTarget(MergeBase.of(target()));
    }

    @Override
    public void mergeInputTransform() {
        if (feedforward) {
            TargetLayer target = target();
            NDArray columns = vector.array().reshape(target.columnBroadcast(vector.size()));
            target.weight().copyFrom(target.weight().array().mul(columns));
        }
    }

    /** Scales the output so far (the rows and bias the target holds), as {@link #adapt} does. */
    @Override
    public void mergeIntoTarget(MergeBase base) {
        if (!feedforward) {
            TargetLayer target = target();
            long n = vector.size();
            target.weight().copyFrom(target.weight().array().mul(vector.array().reshape(target.rowBroadcast(n))));
            if (target.bias() != null) {
                target.bias().copyFrom(target.bias().array().mul(vector.array().reshape(n)));
            }
        }
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        return Map.of("ia3_l", vector);
    }

    @Override
    public int rank() {
        return 1;
    }

    /** @return True when the layer's input is scaled. */
    public boolean isFeedforward() {
        return feedforward;
    }

    @Override
    public String describe() {
        return "IA3(" + (feedforward ? "input" : "output") + ", " + vector.size() + ")";
    }
}
