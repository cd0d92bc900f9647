package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;

import java.io.Serializable;

/**
 * The weight compander of Cakaj, Mehnert and Yang 2023 ("Weight Compander: A Simple Weight Reparameterization for
 * Regularization"): a layer stores a raw parameter {@code w} and applies the weight {@code f(w)}, where
 * <pre>
 *     f(w) = sign(w) ((|w| + beta)^alpha - beta^alpha),    0 &lt; alpha &lt; 1, beta &gt; 0.
 * </pre>
 * {@code f} is odd, continuous, strictly increasing and zero at zero. Its slope
 * {@code f'(w) = alpha (|w| + beta)^(alpha - 1)} is largest at zero ({@code alpha beta^(alpha - 1)}, 5 with the
 * defaults) and falls below 1 for large weights, so it expands small weights away from zero and compresses large
 * ones, the two effects the paper asks of a compander (restricted magnitudes, fewer weights near zero).
 * <p>
 * The paper's text was not available while this was written, so the equation could not be checked against it: this
 * is the power-law compander (a power law made finite-sloped at zero by the offset {@code beta}) with the two
 * hyper-parameters the abstract names, and the defaults {@link #DEFAULT_ALPHA} and {@link #DEFAULT_BETA} are this
 * project's choice. The paper's extension that learns {@code alpha} and {@code beta} is not implemented: both are
 * fixed for a run and recorded in the spec's provenance.
 * <p>
 * It is an OLCUT component, so a spec's {@code weightCompander} property names one in a configuration file and its
 * parameters appear in the spec's, the trainer's and the model's provenance; impossible parameters are refused when
 * it is configured.
 * <p>
 * The gradient through {@link #apply(NDArray)} is {@code f'(w)} everywhere except at exactly {@code w = 0}, where
 * autograd's {@code d|w|/dw = 0} makes it 0; the layers start from {@link #inverse(double) f^-1} of PyTorch's
 * initialisation, which is exactly zero with probability zero.
 */
public final class WeightCompander implements Configurable, Provenancable<ConfiguredObjectProvenance>, Serializable {
    private static final long serialVersionUID = 1L;

    /** The default exponent {@code alpha}. */
    public static final double DEFAULT_ALPHA = 0.5;

    /** The default offset {@code beta}. */
    public static final double DEFAULT_BETA = 0.01;

    @Config(description = "The compander's exponent alpha, in (0, 1): f(w) = sign(w) ((|w| + beta)^alpha - beta^alpha).")
    private double alpha = DEFAULT_ALPHA;

    @Config(description = "The compander's offset beta, positive: the slope at zero is alpha beta^(alpha - 1).")
    private double beta = DEFAULT_BETA;

    private double betaToAlpha;

    /** For OLCUT. */
    private WeightCompander() {}

    /**
     * Creates a compander.
     * @param alpha The exponent, in (0, 1).
     * @param beta The offset, positive and finite.
     * @throws PropertyException If alpha is outside (0, 1) or beta is not positive and finite.
     */
    public WeightCompander(double alpha, double beta) {
        this.alpha = alpha;
        this.beta = beta;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(alpha > 0 && alpha < 1)) {
            throw new PropertyException("", "alpha", "the weight compander's exponent alpha must be in (0, 1), found " + alpha);
        }
        if (!(beta > 0 && Double.isFinite(beta))) {
            throw new PropertyException("", "beta", "the weight compander's offset beta must be positive and finite, found " + beta);
        }
        this.betaToAlpha = Math.pow(beta, alpha);
    }

    /**
     * The compander with the default parameters.
     * @return {@code new WeightCompander(DEFAULT_ALPHA, DEFAULT_BETA)}.
     */
    public static WeightCompander defaults() {
        return new WeightCompander(DEFAULT_ALPHA, DEFAULT_BETA);
    }

    /**
     * The exponent.
     * @return alpha.
     */
    public double alpha() {
        return alpha;
    }

    /**
     * The offset.
     * @return beta.
     */
    public double beta() {
        return beta;
    }

    /**
     * The applied weight {@code f(raw)} element-wise, differentiable in {@code raw}.
     * @param raw The raw parameter.
     * @return A new array, {@code sign(raw) ((|raw| + beta)^alpha - beta^alpha)}.
     */
    public NDArray apply(NDArray raw) {
        return TapeConstants.raisedTo(raw.abs().add(beta), alpha).sub(betaToAlpha).mul(raw.sign());
    }

    /**
     * The weight a layer applies, computed from its raw parameter as a forward pass computes it (for export).
     * @param raw The raw parameter.
     * @return {@code f(raw)} in the parameter's row-major order.
     */
    public float[] applied(Parameter raw) {
        try (GradientMode off = GradientMode.disabled(); NDScope scope = new NDScope()) {
            return apply(raw.array()).toFloatArray();
        }
    }

    /**
     * {@code f(w)} in double precision.
     * @param w A raw weight.
     * @return The applied weight.
     */
    public double apply(double w) {
        return Math.signum(w) * (Math.pow(Math.abs(w) + beta, alpha) - betaToAlpha);
    }

    /**
     * The slope {@code f'(w) = alpha (|w| + beta)^(alpha - 1)}.
     * @param w A raw weight.
     * @return The derivative of {@link #apply(double)} at {@code w}.
     */
    public double derivative(double w) {
        return alpha * Math.pow(Math.abs(w) + beta, alpha - 1);
    }

    /**
     * The raw weight that {@code f} maps to {@code y}: {@code sign(y) ((|y| + beta^alpha)^(1/alpha) - beta)}.
     * @param y An applied weight.
     * @return {@code f^-1(y)}.
     */
    public double inverse(double y) {
        return Math.signum(y) * (Math.pow(Math.abs(y) + betaToAlpha, 1 / alpha) - beta);
    }

    /**
     * {@link #inverse(double)} of every value.
     * @param applied Applied weights.
     * @return The raw weights, in float32.
     */
    float[] inverse(float[] applied) {
        float[] raw = new float[applied.length];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (float) inverse(applied[i]);
        }
        return raw;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "WeightCompander");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightCompander && ((WeightCompander) o).alpha == alpha && ((WeightCompander) o).beta == beta;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(alpha) * 31 + Double.hashCode(beta);
    }

    @Override
    public String toString() {
        return "WeightCompander(alpha=" + alpha + ",beta=" + beta + ")";
    }
}
