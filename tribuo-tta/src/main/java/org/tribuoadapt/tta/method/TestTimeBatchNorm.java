package org.tribuoadapt.tta.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.BatchNorm;

/**
 * A BatchNorm layer that normalises with statistics of the test batch in front of it, mixed with the source
 * (running) statistics: {@code mu = (1 - alpha) mu_source + alpha mu_batch} and likewise for the variance
 * (Schneider et al. 2020, "Improving robustness against common corruptions by covariate shift adaptation"; alpha = 1
 * is test-time normalisation, Nado et al. 2020). It replaces a {@link BatchNorm} in place and shares its parameters
 * under the same names, so Tent-style methods adapt the same affine weights, snapshots cover them, and gradients
 * flow through the batch statistics as in a PyTorch training-mode BatchNorm. The running statistics are never
 * updated.
 * <p>
 * A two-dimensional batch ({@code [N, C]}) of a single example has no usable variance, so such a batch is
 * normalised with the source statistics, as the benchmark of Marsden, Döbler and Yang (2024) does for
 * {@code BatchNorm1d} at batch size 1.
 */
public final class TestTimeBatchNorm extends Layer {

    private final BatchNorm source;
    private final double alpha;

    /**
     * Wraps a BatchNorm layer.
     * @param source The layer whose parameters and running statistics are used.
     * @param alpha The weight of the batch statistics, in {@code [0, 1]}.
     */
    public TestTimeBatchNorm(BatchNorm source, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], found " + alpha);
        }
        this.source = source;
        this.alpha = alpha;
        for (Parameter p : source.parameters().values()) {
            register(p);
        }
    }

    /**
     * The wrapped layer.
     * @return The BatchNorm.
     */
    public BatchNorm source() {
        return source;
    }

    /**
     * The weight of the test-batch statistics.
     * @return Alpha.
     */
    public double alpha() {
        return alpha;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        boolean singleVector = input.getShape().dimension() == 2 && input.getShape().get(0) == 1;
        if (alpha == 0 || singleVector) {
            return fused(input, false);
        }
        if (alpha == 1) {
            return fused(input, true);
        }
        NDArray[] batch = BatchNorm.batchStatistics(input);
        NDArray mean = source.runningMean().array().mul(1 - alpha).add(batch[0].mul(alpha));
        NDArray variance = source.runningVar().array().mul(1 - alpha).add(batch[1].mul(alpha));
        return source.normalize(input, mean, variance);
    }

    /**
     * PyTorch's fused batch normalisation: with {@code batchStatistics} it normalises with the batch's mean and
     * biased variance (differentiably) and, with momentum 0, leaves the running statistics exactly as they are;
     * without, it normalises with the running statistics, as the source model does.
     */
    private NDArray fused(NDArray input, boolean batchStatistics) {
        return JniUtils.batchNorm((PtNDArray) input, (PtNDArray) source.runningMean().array(),
                (PtNDArray) source.runningVar().array(), (PtNDArray) source.weight().array(),
                (PtNDArray) source.bias().array(), batchStatistics, 0.0, source.eps());
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        return source.outputShape(inputShape);
    }

    @Override
    public String describe() {
        return "TestTimeBatchNorm(" + source.numFeatures() + ", alpha=" + alpha + ")";
    }
}
