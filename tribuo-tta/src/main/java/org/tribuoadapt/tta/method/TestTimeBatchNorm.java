package org.tribuoadapt.tta.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;
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
 * autograd. With alpha = 0 the layer computes exactly what the source layer computes in inference.
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
            return fused(input, source.runningMean().array(), source.runningVar().array(), false, 0.0);
        }
        if (alpha == 1) {
            // momentum 0 leaves the running statistics exactly as they are
            return fused(input, source.runningMean().array(), source.runningVar().array(), true, 0.0);
        }
        // a training pass with momentum 1 writes the batch mean and unbiased variance into scratch buffers, as the
        // reference alpha-BN does with a momentum-1 BatchNorm; the mixture is then applied by an inference pass
        NDArray batchMean = source.runningMean().array().zerosLike();
        NDArray batchVar = source.runningVar().array().onesLike();
        try (GradientMode noGrad = GradientMode.disabled()) {
            fused(input, batchMean, batchVar, true, 1.0);
        }
        NDArray mean = TapeConstants.times(source.runningMean().array(), 1 - alpha).add(TapeConstants.times(batchMean, alpha));
        NDArray variance = TapeConstants.times(source.runningVar().array(), 1 - alpha).add(TapeConstants.times(batchVar, alpha));
        return fused(input, mean, variance, false, 0.0);
    }

    /**
     * PyTorch's fused batch normalisation with this layer's scale and shift. With {@code batchStatistics} it
     * normalises with the batch's mean and biased variance (differentiably) and moves the given statistics towards
     * the batch's by {@code momentum}; without, it normalises with the given statistics.
     */
    private NDArray fused(NDArray input, NDArray mean, NDArray variance, boolean batchStatistics, double momentum) {
        return JniUtils.batchNorm((PtNDArray) input, (PtNDArray) mean, (PtNDArray) variance,
                (PtNDArray) source.weight().array(), (PtNDArray) source.bias().array(), batchStatistics, momentum,
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
