package org.tribuoadapt.tta.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.BatchNorm;

/**
 * A BatchNorm layer that normalises with statistics of the test batch in front of it, mixed with the source
 * (running) statistics: {@code mu = (1 - alpha) mu_source + alpha mu_batch} and likewise for the variance
 * (Schneider et al. 2020, "Improving robustness against common corruptions by covariate shift adaptation"; alpha = 1
 * is test-time normalisation, Nado et al. 2020). It replaces a {@link BatchNorm} in place and shares its parameters
 * under the same names, so Tent-style methods adapt the same affine weights and snapshots cover them. The running
 * statistics are never updated.
 * <p>
 * With alpha = 1 the batch is normalised by PyTorch's fused training-mode kernel (batch mean and biased variance),
 * so gradients flow through the batch statistics as in a training-mode BatchNorm (Tent). With 0 &lt; alpha &lt; 1
 * the batch variance is the unbiased one, as in the reference alpha-BN, and the mixed statistics are constants for
 * autograd; they come from two reductions (the mean and the sum of squares), so that the only full pass that writes
 * a tensor is the one inference pass with the mixed statistics. With alpha = 0 the layer computes exactly what the
 * source layer computes in inference.
 * <p>
 * A batch with a single value per channel (a two-dimensional batch {@code [N, C]} of one example) has no usable
 * variance, so it is normalised with the source statistics, as the benchmark of Marsden, Döbler and Yang (2024)
 * does for {@code BatchNorm1d} at batch size 1.
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
        long valuesPerChannel = input.size() / source.numFeatures();
        if (alpha == 0 || valuesPerChannel < 2) {
            return fused(input, source.runningMean().array(), source.runningVar().array(), false);
        }
        if (alpha == 1) {
            return fused(input, source.runningMean().array(), source.runningVar().array(), true);
        }
        NDArray mean;
        NDArray variance;
        try (GradientMode noGrad = GradientMode.disabled()) {
            // the batch statistics from two read-only reductions, without the normalised output that a
            // training-mode pass would also write: the unbiased variance, as in the reference alpha-BN, is
            // (sum x^2 - n m^2) / (n - 1), clamped at 0 against rounding
            // [N, C, positions]: PyTorch reduces one axis at a time, the positions first, then the batch
            NDArray perSample = input.reshape(input.getShape().get(0), source.numFeatures(), -1);
            NDArray batchMean = perSample.mean(new int[] {2}).mean(new int[] {0});
            NDArray sumOfSquares = JniUtils.norm((PtNDArray) perSample, 2, new int[] {2}, false).square()
                    .sum(new int[] {0});
            NDArray batchVar = sumOfSquares.sub(batchMean.square().mul(valuesPerChannel)).div(valuesPerChannel - 1)
                    .maximum(0f);
            mean = source.runningMean().array().mul(1 - alpha).add(batchMean.mul(alpha));
            variance = source.runningVar().array().mul(1 - alpha).add(batchVar.mul(alpha));
        }
        return fused(input, mean, variance, false);
    }

    /**
     * PyTorch's fused batch normalisation with this layer's scale and shift. With {@code batchStatistics} it
     * normalises with the batch's mean and biased variance (differentiably), leaving the given statistics as they
     * are (momentum 0); without, it normalises with the given statistics.
     */
    private NDArray fused(NDArray input, NDArray mean, NDArray variance, boolean batchStatistics) {
        return JniUtils.batchNorm((PtNDArray) input, (PtNDArray) mean, (PtNDArray) variance,
                (PtNDArray) source.weight().array(), (PtNDArray) source.bias().array(), batchStatistics, 0.0,
                source.eps());
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
