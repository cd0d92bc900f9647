package org.tribuoadapt.robust.blackvip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

/**
 * Doubles the height and width of {@code [N, C, H, W]} feature maps by repeating every value in a 2x2 block (PyTorch's
 * nearest-neighbour {@code Upsample(scale_factor=2)}); with the convolution after it, it stands in for the stride-2
 * transposed convolutions of BlackVIP's decoder (Oh et al. 2023).
 */
final class Upsample extends Layer {

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return input.repeat(2, 2).repeat(3, 2);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() != 3) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects [C, H, W] but gets "
                    + inputShape);
        }
        return new Shape(inputShape.get(0), 2 * inputShape.get(1), 2 * inputShape.get(2));
    }

    @Override
    public String describe() {
        return "Upsample(2)";
    }
}
