package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;

import java.util.SplittableRandom;

/**
 * The post-processing of the mixing logit in the code of Bai et al. (2024, {@code CompositeModel}): a batch
 * normalisation of gamma without affine parameters, followed by {@code gamma * scale + bias}, with one scale and bias
 * for training and another for evaluation. A training pass first clamps each gamma to
 * {@code mean +- clampStds * std} of its batch (unbiased std; the bounds carry no gradient), then normalises with the
 * batch's mean and biased variance and updates the running statistics as
 * {@code (1 - momentum) running + momentum batch} (the unbiased variance, as PyTorch does); an evaluation pass
 * normalises with the running statistics. Input and output are {@code [N, 1]}.
 */
final class GammaNormalization extends Layer {

    /** The running-statistics momentum of the paper's code ({@code BatchNorm1d(1, affine=False, momentum=0.01)}). */
    static final double MOMENTUM = 0.01;
    /** PyTorch's BatchNorm epsilon. */
    static final double EPS = 1e-5;

    private final double clampStds;
    private final double trainScale;
    private final double trainBias;
    private final double evalScale;
    private final double evalBias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    /**
     * Creates the layer with running mean 0 and running variance 1.
     * @param manager The network's manager.
     * @param clampStds The half-width of the training clamp, in batch standard deviations.
     * @param trainScale The scale after normalisation in training.
     * @param trainBias The bias after normalisation in training.
     * @param evalScale The scale after normalisation in evaluation.
     * @param evalBias The bias after normalisation in evaluation.
     */
    GammaNormalization(NDManager manager, double clampStds, double trainScale, double trainBias, double evalScale,
                       double evalBias) {
        this.clampStds = clampStds;
        this.trainScale = trainScale;
        this.trainBias = trainBias;
        this.evalScale = evalScale;
        this.evalBias = evalBias;
        this.runningMean = register(new Parameter("running_mean", Parameter.Kind.BUFFER, manager.zeros(new Shape(1))));
        this.runningVar = register(new Parameter("running_var", Parameter.Kind.BUFFER, manager.ones(new Shape(1))));
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        if (!context.isTraining()) {
            float mean = runningMean.array().toFloatArray()[0];
            float variance = runningVar.array().toFloatArray()[0];
            NDArray normalised = TapeConstants.dividedBy(input.sub(mean), Math.sqrt(variance + EPS));
            return TapeConstants.times(normalised, evalScale).add(evalBias);
        }
        float[] values = input.toFloatArray();
        int n = values.length;
        if (n < 2) {
            throw new IllegalArgumentException("layer '" + path() + "' needs at least 2 gammas in a training batch, found " + n);
        }
        double[] stats = meanAndUnbiasedVariance(values);
        double halfWidth = clampStds * Math.sqrt(stats[1]);
        NDArray clamped = TapeConstants.atLeast(TapeConstants.atLeast(input, stats[0] - halfWidth).neg(),
                -(stats[0] + halfWidth)).neg();
        NDArray mean = clamped.mean();
        NDArray centred = clamped.sub(mean);
        NDArray variance = centred.square().mean();
        NDArray normalised = centred.div(variance.add(EPS).sqrt());
        double[] clampedStats = meanAndUnbiasedVariance(clamped.toFloatArray());
        try (GradientMode off = GradientMode.disabled();
             NDArray newMean = runningMean.array().getManager().create(new float[] {(float) ((1 - MOMENTUM)
                     * runningMean.array().toFloatArray()[0] + MOMENTUM * clampedStats[0])});
             NDArray newVar = runningVar.array().getManager().create(new float[] {(float) ((1 - MOMENTUM)
                     * runningVar.array().toFloatArray()[0] + MOMENTUM * clampedStats[1])})) {
            runningMean.copyFrom(newMean);
            runningVar.copyFrom(newVar);
        }
        return TapeConstants.times(normalised, trainScale).add(trainBias);
    }

    private static double[] meanAndUnbiasedVariance(float[] values) {
        double mean = 0;
        for (float v : values) {
            mean += v;
        }
        mean /= values.length;
        double squares = 0;
        for (float v : values) {
            squares += (v - mean) * (v - mean);
        }
        return new double[] {mean, squares / (values.length - 1)};
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() != 1 || inputShape.get(0) != 1) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects [1] but gets " + inputShape);
        }
        return inputShape;
    }

    @Override
    protected void resetParameters(SplittableRandom rng) {
        try (NDArray zero = runningMean.array().zerosLike(); NDArray one = runningVar.array().onesLike()) {
            runningMean.copyFrom(zero);
            runningVar.copyFrom(one);
        }
    }

    @Override
    public String describe() {
        return "GammaNormalization(momentum=" + MOMENTUM + ",clampStds=" + clampStds + ",train=" + trainScale + "x+"
                + trainBias + ",eval=" + evalScale + "x+" + evalBias + ")";
    }
}
