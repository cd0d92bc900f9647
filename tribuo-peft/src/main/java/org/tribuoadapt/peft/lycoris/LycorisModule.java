package org.tribuoadapt.peft.lycoris;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.TargetLayer;

/**
 * The shared behaviour of the LyCORIS adapters (PEFT's {@code LycorisLayer}): the adapter is a weight update
 * {@code dW} rebuilt from factors at every forward pass and applied with the target's own operation, so
 * {@code y = W0 x + dW x}. In training, module dropout skips the whole adapter with probability
 * {@code moduleDropout}, and rank dropout zeroes rows of {@code dW} with probability {@code rankDropout}
 * (optionally rescaling the kept rows by the inverse of their share). Merging adds {@code dW} to the weight.
 */
public abstract class LycorisModule extends AdapterModule {

    private final int rank;
    private final double rankDropout;
    private final boolean rescaleRankDropout;
    private final double moduleDropout;

    /**
     * Creates the module.
     * @param target The layer.
     * @param rank The rank.
     * @param rankDropout The probability of dropping a row of the update in training.
     * @param rescaleRankDropout Whether kept rows are divided by the share kept.
     * @param moduleDropout The probability of skipping the adapter in a training step.
     */
    protected LycorisModule(TargetLayer target, int rank, double rankDropout, boolean rescaleRankDropout,
                            double moduleDropout) {
        super(target);
        this.rank = rank;
        this.rankDropout = rankDropout;
        this.rescaleRankDropout = rescaleRankDropout;
        this.moduleDropout = moduleDropout;
    }

    /**
     * The scaled weight update {@code dW}, shaped like the target's weight.
     * @return The update.
     */
    protected abstract NDArray update();

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        boolean training = context.isTraining();
        if (training && moduleDropout > 0
                && input.getManager().randomUniform(0f, 1f, new Shape(1)).getFloat() <= moduleDropout) {
            return output;
        }
        NDArray delta = update();
        if (training && rankDropout > 0) {
            long rows = delta.getShape().get(0);
            NDArray keep = input.getManager().randomUniform(0f, 1f, new Shape(rows)).gt(rankDropout).toType(DataType.FLOAT32, false);
            if (rescaleRankDropout) {
                keep = keep.div(keep.mean().maximum(1e-12f));
            }
            delta = delta.mul(keep.reshape(target().rowBroadcast(rows)));
        }
        return output.add(target().apply(input, delta, null));
    }

    @Override
    public void mergeIntoTarget() {
        target().weight().copyFrom(target().weight().array().add(update()));
    }

    @Override
    public int rank() {
        return rank;
    }
}
