package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;

import java.util.SplittableRandom;

/**
 * A fully connected layer with σReparam (Zhai et al. 2023, "Stabilizing Transformer Training by Preventing Attention
 * Entropy Collapse", equation 3): the weight it applies is {@code W_hat = (gamma / sigma(W)) W}, where
 * {@code sigma(W)} is the spectral norm of the raw weight and {@code gamma} a learned scalar. Bounding the spectral
 * norm of the attention logits' projections keeps attention entropy from collapsing, so transformers train without
 * warm-up at higher learning rates.
 * <ul>
 *   <li>{@code sigma} comes from one power iteration per forward pass from the stored right singular vector
 *   {@code u}: {@code v = normalise(W u)}, {@code u' = normalise(W^T v)}, {@code sigma = v^T W u'}; the gradient
 *   flows through {@code W} only, and training passes store {@code u'}.</li>
 *   <li>{@code gamma} starts at {@code sigma} of the initial weight, so the layer starts as the plain one.</li>
 *   <li>The initial {@code u} is the top right singular vector of the initial weight, found by
 *   {@value #INITIAL_POWER_ITERATIONS} power iterations in Java (the reference code takes it from an SVD).</li>
 * </ul>
 * State-dict names: {@code weight}, {@code bias}, {@code sn_gamma} ({@code [1]}, trained) and {@code sn_u}
 * ({@code [in]}, a buffer). The layer has PyTorch's {@code Linear} layout and initialisation otherwise.
 */
public final class SpectralLinear extends FullyConnected {

    /** Power iterations that find the initial right singular vector. */
    static final int INITIAL_POWER_ITERATIONS = 50;

    /** F.normalize's floor on a vector's norm. */
    private static final double NORM_FLOOR = 1e-12;

    private final Parameter gamma;
    private final Parameter u;

    /**
     * Creates the layer.
     * @param manager The network's manager.
     * @param inFeatures The input width.
     * @param outFeatures The output width.
     * @param hasBias Whether to add a bias.
     */
    public SpectralLinear(NDManager manager, int inFeatures, int outFeatures, boolean hasBias) {
        super(manager, inFeatures, outFeatures, hasBias);
        this.gamma = addWeight(manager, "sn_gamma", new Shape(1));
        this.u = register(new Parameter("sn_u", Parameter.Kind.BUFFER, manager.zeros(new Shape(inFeatures))));
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        NDArray[] vectors;
        try (GradientMode off = GradientMode.disabled()) {
            vectors = powerIteration();
            if (context.isTraining()) {
                u.copyFrom(vectors[1]);
            }
        }
        return applyWeight(input, effective(vectors[0], vectors[1]));
    }

    /**
     * The weight the layer applies at inference, as an inference forward pass computes it (for export).
     * @return The weight {@code (gamma / sigma(W)) W}, {@code [out, in]} row-major.
     */
    public float[] effectiveWeight() {
        try (GradientMode off = GradientMode.disabled(); NDScope scope = new NDScope()) {
            NDArray[] vectors = powerIteration();
            return effective(vectors[0], vectors[1]).toFloatArray();
        }
    }

    /** One power iteration from the stored u, without gradients: {@code {v = normalise(W u), u' = normalise(W^T v)}}. */
    private NDArray[] powerIteration() {
        NDArray w = weight().array();
        NDArray v = normalise(w.matMul(u.array().reshape(-1, 1)).reshape(-1));
        return new NDArray[] {v, normalise(w.transpose().matMul(v.reshape(-1, 1)).reshape(-1))};
    }

    /** {@code (gamma / (v^T W u')) W}, differentiable in W and gamma. */
    private NDArray effective(NDArray v, NDArray next) {
        NDArray w = weight().array();
        NDArray sigma = v.reshape(1, -1).matMul(w).matMul(next.reshape(-1, 1)).reshape(1);
        return w.mul(gamma.array().div(sigma));
    }

    private static NDArray normalise(NDArray x) {
        return x.div(TapeConstants.atLeast(x.norm(), NORM_FLOOR));
    }

    @Override
    protected void resetParameters(SplittableRandom rng) {
        super.resetParameters(rng);
        float[] w = weight().toFloatArray();
        double[] right = new double[inFeatures()];
        for (int i = 0; i < right.length; i++) {
            right[i] = Initializers.gaussian(rng);
        }
        double sigma = 0;
        for (int iteration = 0; iteration < INITIAL_POWER_ITERATIONS; iteration++) {
            double[] left = normaliseInPlace(times(w, right));
            right = normaliseInPlace(timesTransposed(w, left));
            sigma = norm(times(w, right));
        }
        float[] stored = new float[inFeatures()];
        for (int i = 0; i < stored.length; i++) {
            stored[i] = (float) right[i];
        }
        u.assign(stored);
        gamma.assign(new float[] {(float) sigma});
    }

    private double[] times(float[] w, double[] x) {
        double[] out = new double[outFeatures()];
        for (int r = 0; r < outFeatures(); r++) {
            double sum = 0;
            for (int c = 0; c < inFeatures(); c++) {
                sum += w[r * inFeatures() + c] * x[c];
            }
            out[r] = sum;
        }
        return out;
    }

    private double[] timesTransposed(float[] w, double[] y) {
        double[] out = new double[inFeatures()];
        for (int r = 0; r < outFeatures(); r++) {
            for (int c = 0; c < inFeatures(); c++) {
                out[c] += w[r * inFeatures() + c] * y[r];
            }
        }
        return out;
    }

    private static double norm(double[] x) {
        double sum = 0;
        for (double value : x) {
            sum += value * value;
        }
        return Math.sqrt(sum);
    }

    private static double[] normaliseInPlace(double[] x) {
        double n = Math.max(norm(x), NORM_FLOOR);
        for (int i = 0; i < x.length; i++) {
            x[i] /= n;
        }
        return x;
    }

    @Override
    public String describe() {
        return "SpectralLinear(" + sizes() + ", σReparam)";
    }
}
