package org.tribuoadapt.peft.bottleneck;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.TargetLayer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One bottleneck adapter around one residual branch of width {@code d}: the down-projection
 * {@code adapter_down} ({@code [r, d]} and bias {@code [r]}), a ReLU, and the up-projection {@code adapter_up}
 * ({@code [d, r]} and bias {@code [d]}), so {@code f(z) = ReLU(z W_down^T + b_down) W_up^T + b_up}. The sequential
 * placement adds {@code s f(h)} to the branch output {@code h} (the output so far, when other adapters run before
 * it); the parallel placement adds {@code s f(x)} for the branch input {@code x}. The down-projection starts from
 * PyTorch's default Linear initialisation, the rest at zero, so the adapter starts as a no-op.
 */
public final class BottleneckModule extends AdapterModule {

    private final BottleneckPlacement placement;
    private final double scaling;
    private final int bottleneckSize;
    private final Parameter downWeight;
    private final Parameter downBias;
    private final Parameter upWeight;
    private final Parameter upBias;

    /**
     * Creates the adapter of one residual branch, its up-projection at zero.
     * @param target The residual branch.
     * @param manager The network's memory.
     * @param placement Where the adapter reads its input.
     * @param bottleneckSize The bottleneck size r.
     * @param scaling The scaling s.
     * @param rng The source of the down-projection's initial values.
     */
    public BottleneckModule(TargetLayer target, NDManager manager, BottleneckPlacement placement, int bottleneckSize,
                            double scaling, SplittableRandom rng) {
        super(target);
        this.placement = placement;
        this.scaling = scaling;
        this.bottleneckSize = bottleneckSize;
        int width = target.inFeatures();
        this.downWeight = addWeight(manager, "adapter_down.weight", new Shape(bottleneckSize, width));
        this.downBias = addWeight(manager, "adapter_down.bias", new Shape(bottleneckSize));
        this.upWeight = addWeight(manager, "adapter_up.weight", new Shape(width, bottleneckSize));
        this.upBias = addWeight(manager, "adapter_up.bias", new Shape(width));
        downWeight.assign(Initializers.kaimingUniform(bottleneckSize * width, width, rng));
    }

    /** {@code f(z)}, over the last dimension. */
    private NDArray bottleneck(NDArray z) {
        NDArray hidden = Activation.RELU.apply(TargetLayer.linear(z, downWeight.array(), downBias.array()));
        return TargetLayer.linear(hidden, upWeight.array(), upBias.array());
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        NDArray read = placement == BottleneckPlacement.SEQUENTIAL ? output : input;
        return output.add(TapeConstants.timesInPlace(bottleneck(read), scaling));
    }

    /**
     * Always refuses: the ReLU between the projections makes the adapter non-linear.
     * @throws UnsupportedOperationException always.
     */
    @Override
    public void mergeIntoTarget() {
        throw new UnsupportedOperationException("the bottleneck adapter at '" + target().path() + "' cannot be merged: "
                + BottleneckSpec.NOT_MERGEABLE);
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

    /** @return Where the adapter reads its input. */
    public BottleneckPlacement placement() {
        return placement;
    }

    /** @return The scaling s. */
    public double scaling() {
        return scaling;
    }

    @Override
    public String describe() {
        return "Bottleneck(" + placement + ", r=" + bottleneckSize + ", scaling=" + scaling + ")";
    }
}
