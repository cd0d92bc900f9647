package org.tribuoadapt.peft.factored;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.TargetLayer;

/**
 * An adapter whose update is {@code L diag(c) R} ({@link DiagonalFactors}): the output gains {@code L diag(c) R x} and
 * merging adds the same update to the weight. Subclasses decompose the frozen weight into the factors, which they keep
 * as buffers (saved with the adapter, so that loading does not depend on the decomposition being repeated bit for
 * bit), and say how the coefficients follow from their trainable values.
 */
public abstract class DiagonalFactorModule extends AdapterModule {

    /**
     * Creates the module.
     * @param target The layer.
     */
    protected DiagonalFactorModule(TargetLayer target) {
        super(target);
    }

    /** @return The frozen factors. */
    protected abstract DiagonalFactors factors();

    /**
     * The coefficients {@code c} of the update, which are zero before training.
     * @return {@code [r]}.
     */
    protected abstract NDArray coefficients();

    /**
     * Checks that a layer's flattened weight has at least {@code rank} factors.
     * @param method The method's name, for the message.
     * @param target The layer.
     * @param rank The number of factors kept.
     * @throws IllegalArgumentException naming the layer and the largest rank it allows.
     */
    protected static void checkRank(String method, TargetLayer target, int rank) {
        int most = Math.min(target.outFeatures(), target.fanIn());
        if (rank > most) {
            throw new IllegalArgumentException(method + " at '" + target.path() + "' needs rank <= min(out, fanIn) = " + most
                    + ", found rank " + rank);
        }
    }

    /**
     * Registers a frozen tensor of this module.
     * @param manager The network's memory.
     * @param name Its name.
     * @param shape Its shape.
     * @param values Its values, row-major.
     * @return The buffer.
     */
    protected final Parameter buffer(NDManager manager, String name, Shape shape, double[] values) {
        Parameter p = register(new Parameter(name, Parameter.Kind.BUFFER, manager.zeros(shape)));
        p.assign(toFloats(values));
        return p;
    }

    /**
     * Narrows values to single precision.
     * @param values The values.
     * @return The floats.
     */
    protected static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        return output.add(factors().apply(input, coefficients()));
    }

    @Override
    public void mergeIntoTarget() {
        target().weight().copyFrom(target().weight().array().add(factors().delta(coefficients())));
    }
}
