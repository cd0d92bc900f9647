package org.tribuoadapt.robust.blackvip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;

import java.util.SplittableRandom;

/**
 * The prompt trigger of BlackVIP's decoder (Oh et al. 2023, the {@code p_trigger} of the authors' decoder): a learned
 * feature map of {@code channels x height x width}, the same for every input, concatenated along the channels with the
 * encoder's features, so the decoder can produce an input-independent part of the prompt. It starts uniform in
 * [0, 0.1], as in the authors' code.
 */
final class PromptTrigger extends Layer {

    private final Parameter weight;

    /**
     * Creates the trigger.
     * @param manager The network's manager.
     * @param channels The trigger's channels.
     * @param height The feature maps' height.
     * @param width The feature maps' width.
     */
    PromptTrigger(NDManager manager, int channels, int height, int width) {
        this.weight = addWeight(manager, "weight", new Shape(channels, height, width));
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        Shape shape = weight.shape();
        NDArray repeated = weight.array().expandDims(0)
                .broadcast(new Shape(input.getShape().get(0), shape.get(0), shape.get(1), shape.get(2)));
        return input.concat(repeated, 1);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        Shape shape = weight.shape();
        if (inputShape.dimension() != 3 || inputShape.get(1) != shape.get(1) || inputShape.get(2) != shape.get(2)) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects [C, " + shape.get(1)
                    + ", " + shape.get(2) + "] feature maps but gets " + inputShape);
        }
        return new Shape(inputShape.get(0) + shape.get(0), shape.get(1), shape.get(2));
    }

    @Override
    protected void resetParameters(SplittableRandom rng) {
        float[] values = Initializers.uniform(Math.toIntExact(weight.size()), 0.05, rng);
        for (int i = 0; i < values.length; i++) {
            values[i] += 0.05f;
        }
        weight.assign(values);
    }

    @Override
    public String describe() {
        return "PromptTrigger(" + weight.shape() + ")";
    }
}
