package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;

import java.util.SplittableRandom;

/**
 * Batch normalisation over the channel dimension (dimension 1) of {@code [N, C]} or {@code [N, C, H, W]} batches
 * (Ioffe and Szegedy 2015), with PyTorch's semantics and state: {@code weight}, {@code bias}, {@code running_mean},
 * {@code running_var} (unbiased) and {@code num_batches_tracked}. A training pass normalises with the batch's
 * statistics and updates the running ones as {@code (1 - momentum) running + momentum batch}; an inference pass uses
 * the running statistics.
 */
public final class BatchNorm extends Layer {

    /** PyTorch's default momentum. */
    public static final double DEFAULT_MOMENTUM = 0.1;
    /** PyTorch's default epsilon. */
    public static final double DEFAULT_EPS = 1e-5;

    private final int numFeatures;
    private final double momentum;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private final Parameter numBatchesTracked;

    /**
     * Creates a BatchNorm layer with PyTorch's defaults.
     * @param manager The network's manager.
     * @param numFeatures The number of channels.
     */
    public BatchNorm(NDManager manager, int numFeatures) {
        this(manager, numFeatures, DEFAULT_MOMENTUM, DEFAULT_EPS);
    }

    /**
     * Creates a BatchNorm layer.
     * @param manager The network's manager.
     * @param numFeatures The number of channels.
     * @param momentum The weight of each new batch in the running statistics.
     * @param eps Added to the variance for stability.
     */
    public BatchNorm(NDManager manager, int numFeatures, double momentum, double eps) {
        if (numFeatures < 1 || !(momentum >= 0 && momentum <= 1) || !(eps > 0)) {
            throw new IllegalArgumentException("BatchNorm needs numFeatures >= 1, momentum in [0,1] and eps > 0, found "
                    + numFeatures + ", " + momentum + ", " + eps);
        }
        this.numFeatures = numFeatures;
        this.momentum = momentum;
        this.eps = eps;
        Shape shape = new Shape(numFeatures);
        this.weight = addWeight(manager, "weight", shape);
        this.bias = addWeight(manager, "bias", shape);
        this.runningMean = register(new Parameter("running_mean", Parameter.Kind.BUFFER, manager.zeros(shape)));
        this.runningVar = register(new Parameter("running_var", Parameter.Kind.BUFFER, manager.ones(shape)));
        this.numBatchesTracked = register(new Parameter("num_batches_tracked", Parameter.Kind.BUFFER,
                manager.create(0L)));
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        boolean training = context.isTraining();
        NDArray out = JniUtils.batchNorm((PtNDArray) input, (PtNDArray) runningMean.array(), (PtNDArray) runningVar.array(),
                (PtNDArray) weight.array(), (PtNDArray) bias.array(), training, momentum, eps);
        if (training) {
            try (GradientMode ignored = GradientMode.disabled()) {
                numBatchesTracked.array().addi(1L);
            }
        }
        return out;
    }

    /**
     * Normalises with explicit statistics instead of the running ones, then applies the affine transform. Test-time
     * methods use it to normalise with test-batch or mixed statistics.
     * @param input The batch, {@code [N, C, ...]}.
     * @param mean Per-channel means, {@code [C]}.
     * @param variance Per-channel (biased) variances, {@code [C]}.
     * @return The normalised batch.
     */
    public NDArray normalize(NDArray input, NDArray mean, NDArray variance) {
        Shape broadcast = channelShape(input.getShape());
        NDArray scale = variance.add(eps).sqrt().reshape(broadcast);
        NDArray centred = input.sub(mean.reshape(broadcast)).div(scale);
        return centred.mul(weight.array().reshape(broadcast)).add(bias.array().reshape(broadcast));
    }

    /**
     * The per-channel mean and biased variance of a batch, as used by a training pass.
     * @param input The batch, {@code [N, C, ...]}.
     * @return {mean, variance}, each {@code [C]}.
     */
    public static NDArray[] batchStatistics(NDArray input) {
        long channels = input.getShape().get(1);
        // DJL's PyTorch engine reduces one axis per call, so the channels go first and the rest is flattened
        NDArray perChannel = input.swapAxes(0, 1).reshape(channels, -1);
        NDArray mean = perChannel.mean(new int[] {1});
        NDArray variance = perChannel.sub(mean.reshape(channels, 1)).square().mean(new int[] {1});
        return new NDArray[] {mean, variance};
    }

    private static Shape channelShape(Shape inputShape) {
        long[] dims = new long[inputShape.dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[1] = inputShape.get(1);
        return new Shape(dims);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() < 1 || inputShape.get(0) != numFeatures) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects " + numFeatures
                    + " channels but gets input of shape " + inputShape);
        }
        return inputShape;
    }

    @Override
    protected void resetParameters(SplittableRandom rng) {
        try (NDArray ones = weight.array().onesLike(); NDArray zeros = weight.array().zerosLike()) {
            weight.copyFrom(ones);
            bias.copyFrom(zeros);
            runningMean.copyFrom(zeros);
            runningVar.copyFrom(ones);
        }
        try (NDArray zero = numBatchesTracked.array().zerosLike()) {
            numBatchesTracked.copyFrom(zero.toType(DataType.INT64, false));
        }
    }

    /** @return The number of channels. */
    public int numFeatures() {
        return numFeatures;
    }

    /** @return The running-statistics momentum. */
    public double momentum() {
        return momentum;
    }

    /** @return The epsilon added to the variance. */
    public double eps() {
        return eps;
    }

    /** @return The scale, gamma. */
    public Parameter weight() {
        return weight;
    }

    /** @return The shift, beta. */
    public Parameter bias() {
        return bias;
    }

    /** @return The running mean buffer. */
    public Parameter runningMean() {
        return runningMean;
    }

    /** @return The running (unbiased) variance buffer. */
    public Parameter runningVar() {
        return runningVar;
    }

    @Override
    public String describe() {
        return "BatchNorm(" + numFeatures + ")";
    }
}
