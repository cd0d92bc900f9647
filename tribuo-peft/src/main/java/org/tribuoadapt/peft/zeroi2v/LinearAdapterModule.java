package org.tribuoadapt.peft.zeroi2v;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.nn.layers.Dropout;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.MergeBase;
import org.tribuoadapt.peft.TargetLayer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One ZeroI2V linear adapter at one Linear layer {@code y = x W^T + b}: {@code g(z) = z + s f(z)} with
 * {@code f(z) = (dropout(z D^T + b_D)) U^T + b_U}, the down-projection {@code adapter_down} ({@code [r, w]} and bias
 * {@code [r]}) and the up-projection {@code adapter_up} ({@code [w, r]} and bias {@code [w]}), where {@code w} is the
 * layer's input width ({@link LinearAdapterPlacement#BEFORE}) or output width ({@link LinearAdapterPlacement#AFTER}).
 * The down-projection starts from PyTorch's default Linear initialisation and the up-projection at zero, so the
 * adapter starts as the identity.
 * <p>
 * Without a non-linearity {@code g} is affine, {@code g(z) = z M^T + c} with {@code M = I + s U D} and
 * {@code c = s (U b_D + b_U)}, so it folds into the layer: before it, {@code W' = W M} and {@code b' = b + W c};
 * after it, {@code W' = M W} and {@code b' = M b + c}.
 */
public final class LinearAdapterModule extends AdapterModule {

    private final LinearAdapterPlacement placement;
    private final double scaling;
    private final int bottleneckSize;
    private final Dropout dropout;
    private final Parameter downWeight;
    private final Parameter downBias;
    private final Parameter upWeight;
    private final Parameter upBias;

    LinearAdapterModule(TargetLayer target, NDManager manager, LinearAdapterPlacement placement, int bottleneckSize,
                        double scaling, double dropoutRate, SplittableRandom rng) {
        super(target);
        this.placement = placement;
        this.scaling = scaling;
        this.bottleneckSize = bottleneckSize;
        int width = placement == LinearAdapterPlacement.BEFORE ? target.inFeatures() : target.outFeatures();
        this.dropout = dropoutRate > 0 ? addChild("adapter_dropout", new Dropout(dropoutRate)) : null;
        this.downWeight = addWeight(manager, "adapter_down.weight", new Shape(bottleneckSize, width));
        this.downBias = addWeight(manager, "adapter_down.bias", new Shape(bottleneckSize));
        this.upWeight = addWeight(manager, "adapter_up.weight", new Shape(width, bottleneckSize));
        this.upBias = addWeight(manager, "adapter_up.bias", new Shape(width));
        downWeight.assign(Initializers.kaimingUniform(bottleneckSize * width, width, rng));
        downBias.assign(Initializers.kaimingUniform(bottleneckSize, width, rng));
    }

    /** {@code g(z) = z + s f(z)}, over the last dimension. */
    private NDArray adapter(NDArray z, ForwardContext context) {
        NDArray hidden = TargetLayer.linear(z, downWeight.array(), downBias.array());
        if (dropout != null && context.isTraining()) {
            hidden = dropout.apply(hidden, context);
        }
        NDArray f = TargetLayer.linear(hidden, upWeight.array(), upBias.array());
        return z.add(TapeConstants.timesInPlace(f, scaling));
    }

    @Override
    public NDArray transformInput(NDArray input, ForwardContext context) {
        return placement == LinearAdapterPlacement.BEFORE ? adapter(input, context) : input;
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        return placement == LinearAdapterPlacement.AFTER ? adapter(output, context) : output;
    }

    /** {@code M = I + s U D}, {@code [w, w]}. */
    private NDArray matrix() {
        NDArray ud = upWeight.array().matMul(downWeight.array()).mul(scaling);
        return ud.add(ud.getManager().eye(Math.toIntExact(ud.getShape().get(0))));
    }

    /** {@code c = s (U b_D + b_U)}, {@code [w]}. */
    private NDArray offset() {
        return upWeight.array().matMul(downBias.array().reshape(bottleneckSize, 1)).reshape(-1).add(upBias.array())
                .mul(scaling);
    }

    @Override
    public void mergeIntoTarget() {
        mergeInputTransform();
        mergeIntoTarget(MergeBase.of(target()));
    }

    /**
     * Before the layer: {@code W' = W M} and {@code b' = b + W c}, for the weight and bias the target holds.
     * @throws IllegalStateException if the layer has no bias to take the adapter's offset.
     */
    @Override
    public void mergeInputTransform() {
        if (placement == LinearAdapterPlacement.BEFORE) {
            TargetLayer target = target();
            if (target.bias() == null) {
                throw new IllegalStateException("the linear adapter before '" + target.path() + "' cannot be merged: the "
                        + "layer has no bias to take the adapter's offset s (U b_down + b_up)");
            }
            NDArray weight = target.weight().array();
            NDArray shift = weight.matMul(offset().reshape(-1, 1)).reshape(-1);
            target.bias().copyFrom(target.bias().array().add(shift));
            target.weight().copyFrom(weight.matMul(matrix()));
        }
    }

    /**
     * After the layer: {@code W' = M W} and {@code b' = M b + c}, for the output so far that the target holds.
     * @throws IllegalStateException if the layer has no bias to take the adapter's offset.
     */
    @Override
    public void mergeIntoTarget(MergeBase base) {
        if (placement == LinearAdapterPlacement.AFTER) {
            TargetLayer target = target();
            if (target.bias() == null) {
                throw new IllegalStateException("the linear adapter after '" + target.path() + "' cannot be merged: the "
                        + "layer has no bias to take the adapter's offset s (U b_down + b_up)");
            }
            NDArray m = matrix();
            NDArray bias = m.matMul(target.bias().array().reshape(-1, 1)).reshape(-1).add(offset());
            target.weight().copyFrom(m.matMul(target.weight().array()));
            target.bias().copyFrom(bias);
        }
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put(downWeight.name(), downWeight);
        out.put(downBias.name(), downBias);
        out.put(upWeight.name(), upWeight);
        out.put(upBias.name(), upBias);
        return out;
    }

    /** @return The bottleneck size r. */
    @Override
    public int rank() {
        return bottleneckSize;
    }

    /** @return Which side of the layer the adapter sits on. */
    public LinearAdapterPlacement placement() {
        return placement;
    }

    @Override
    public String describe() {
        return "ZeroI2VLinearAdapter(" + placement + ", r=" + bottleneckSize + ", scaling=" + scaling + ")";
    }
}
