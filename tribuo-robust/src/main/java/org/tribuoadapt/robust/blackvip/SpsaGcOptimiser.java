package org.tribuoadapt.robust.blackvip;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * SPSA-GC, the zeroth-order optimiser of BlackVIP (Oh et al., CVPR 2023, section 3.3): simultaneous perturbation
 * stochastic approximation (Spall 1992) with a gradient correction.
 * <ul>
 *   <li>At step {@code k = 1, 2, ...} the gain is {@code a_k = a / (k + o)^alpha} and the perturbation size
 *   {@code c_k = c / k^gamma}.</li>
 *   <li>The gradient is estimated from two-sided differences along random directions {@code Delta}:
 *   {@code g_i = (L(w + c_k Delta) - L(w - c_k Delta)) / (2 c_k Delta_i)}, averaged over {@code samples} directions;
 *   each direction costs two evaluations of the loss, so two queries of the black box per image.</li>
 *   <li>The correction is a Nesterov-style look-ahead momentum: {@code m_1 = g_1}, {@code m_k = beta m_{k-1} + g_k},
 *   and the update is {@code w <- w - a_k (g_k + beta m_k)}. Without it ({@code gradientCorrection = false}) the
 *   update is plain SPSA, {@code w <- w - a_k g_k}.</li>
 * </ul>
 * The defaults are the authors' (their {@code tl_bench.sh} and {@code configs/trainers/BLACKVIP/vit_b16.yaml}:
 * {@code SPSA_PARAMS [o, c, a, alpha, gamma] = [1.0, 0.01, 0.01, 0.4, 0.1]}, {@code MOMS} 0.9, {@code SP_AVG} 5),
 * tuned there for CLIP on natural images; on the small networks of this project's tests and benchmark that gain made
 * the prompt diverge in most runs, and 0.003 was stable. The directions are Rademacher ({@code +-1} with equal
 * probability), Spall's standard choice, which the authors' code keeps as a commented-out option; its active choice
 * draws each entry from {@code [-1, -0.5] U [0.5, 1]}, available as {@link Perturbation#SEGMENTED_UNIFORM}.
 */
public final class SpsaGcOptimiser implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    /** How the entries of a perturbation direction are drawn. */
    public enum Perturbation {
        /** {@code +-1} with equal probability (Spall's standard choice). */
        RADEMACHER,
        /** A sign with equal probability times a magnitude uniform in [0.5, 1] (the authors' code). */
        SEGMENTED_UNIFORM
    }

    /** The authors' stability constant {@code o}. */
    public static final double DEFAULT_STABILITY = 1.0;
    /** The authors' perturbation scale {@code c}. */
    public static final double DEFAULT_PERTURBATION_SCALE = 0.01;
    /** The authors' gain {@code a}. */
    public static final double DEFAULT_GAIN = 0.01;
    /** The authors' gain decay exponent {@code alpha}. */
    public static final double DEFAULT_GAIN_DECAY = 0.4;
    /** The authors' perturbation decay exponent {@code gamma}. */
    public static final double DEFAULT_PERTURBATION_DECAY = 0.1;
    /** The authors' momentum {@code beta} of the gradient correction. */
    public static final double DEFAULT_MOMENTUM = 0.9;
    /** The authors' number of directions averaged per step. */
    public static final int DEFAULT_SAMPLES = 5;

    @Config(description = "The gain a of a_k = a / (k + o)^alpha.")
    private double gain = DEFAULT_GAIN;

    @Config(description = "The stability constant o of a_k = a / (k + o)^alpha.")
    private double stability = DEFAULT_STABILITY;

    @Config(description = "The decay exponent alpha of a_k = a / (k + o)^alpha.")
    private double gainDecay = DEFAULT_GAIN_DECAY;

    @Config(description = "The perturbation scale c of c_k = c / k^gamma.")
    private double perturbationScale = DEFAULT_PERTURBATION_SCALE;

    @Config(description = "The decay exponent gamma of c_k = c / k^gamma.")
    private double perturbationDecay = DEFAULT_PERTURBATION_DECAY;

    @Config(description = "The momentum beta of the gradient correction.")
    private double momentum = DEFAULT_MOMENTUM;

    @Config(description = "Perturbation directions averaged per step (two loss evaluations each).")
    private int samples = DEFAULT_SAMPLES;

    @Config(description = "RADEMACHER (+-1) or SEGMENTED_UNIFORM (the authors' code: [-1, -0.5] U [0.5, 1]).")
    private Perturbation perturbation = Perturbation.RADEMACHER;

    @Config(description = "true: SPSA-GC (look-ahead momentum); false: plain SPSA.")
    private boolean gradientCorrection = true;

    /**
     * Creates SPSA-GC with the authors' defaults.
     */
    public SpsaGcOptimiser() {}

    /**
     * Creates SPSA-GC with the authors' schedule exponents and momentum.
     * @param gain The gain {@code a}.
     * @param perturbationScale The perturbation scale {@code c}.
     * @param samples The directions averaged per step.
     */
    public SpsaGcOptimiser(double gain, double perturbationScale, int samples) {
        this(gain, DEFAULT_STABILITY, DEFAULT_GAIN_DECAY, perturbationScale, DEFAULT_PERTURBATION_DECAY,
                DEFAULT_MOMENTUM, samples, Perturbation.RADEMACHER, true);
    }

    /**
     * Creates SPSA or SPSA-GC.
     * @param gain The gain {@code a}.
     * @param stability The stability constant {@code o}.
     * @param gainDecay The gain's decay exponent {@code alpha}.
     * @param perturbationScale The perturbation scale {@code c}.
     * @param perturbationDecay The perturbation's decay exponent {@code gamma}.
     * @param momentum The momentum {@code beta}.
     * @param samples The directions averaged per step.
     * @param perturbation How directions are drawn.
     * @param gradientCorrection Whether to apply the look-ahead momentum.
     */
    public SpsaGcOptimiser(double gain, double stability, double gainDecay, double perturbationScale,
                           double perturbationDecay, double momentum, int samples, Perturbation perturbation,
                           boolean gradientCorrection) {
        this.gain = gain;
        this.stability = stability;
        this.gainDecay = gainDecay;
        this.perturbationScale = perturbationScale;
        this.perturbationDecay = perturbationDecay;
        this.momentum = momentum;
        this.samples = samples;
        this.perturbation = perturbation;
        this.gradientCorrection = gradientCorrection;
        postConfig();
    }

    @Override
    public void postConfig() {
        requirePositive("gain", gain);
        requirePositive("perturbationScale", perturbationScale);
        if (!(stability >= 0) || Double.isInfinite(stability)) {
            throw new PropertyException("", "stability", "stability must be >= 0 and finite, found " + stability);
        }
        if (!(gainDecay >= 0) || Double.isInfinite(gainDecay) || !(perturbationDecay >= 0)
                || Double.isInfinite(perturbationDecay)) {
            throw new PropertyException("", "gainDecay", "the decay exponents must be >= 0 and finite, found "
                    + gainDecay + " and " + perturbationDecay);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new PropertyException("", "momentum", "momentum must be in [0, 1), found " + momentum);
        }
        if (samples < 1) {
            throw new PropertyException("", "samples", "samples must be at least 1, found " + samples);
        }
        if (perturbation == null) {
            throw new PropertyException("", "perturbation", "perturbation must be RADEMACHER or SEGMENTED_UNIFORM");
        }
    }

    private static void requirePositive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new PropertyException("", name, name + " must be positive and finite, found " + value);
        }
    }

    /**
     * The gain at step {@code k}.
     * @param k The step, from 1.
     * @return {@code a / (k + o)^alpha}.
     */
    public double gainAt(int k) {
        return gain / Math.pow(k + stability, gainDecay);
    }

    /**
     * The perturbation size at step {@code k}.
     * @param k The step, from 1.
     * @return {@code c / k^gamma}.
     */
    public double perturbationAt(int k) {
        return perturbationScale / Math.pow(k, perturbationDecay);
    }

    /**
     * Directions averaged per step.
     * @return The count; each costs two loss evaluations.
     */
    public int samples() {
        return samples;
    }

    /**
     * A gradient estimate.
     * @param gradient The estimated gradient.
     * @param loss The mean of the loss at all perturbed points.
     */
    public record Estimate(double[] gradient, double loss) {}

    /**
     * Estimates the gradient of a loss at {@code w} by two-sided simultaneous perturbation, averaged over
     * {@link #samples()} random directions.
     * @param w The point.
     * @param loss The loss; called twice per direction, with a fresh perturbed copy of {@code w}.
     * @param size The perturbation size {@code c_k}.
     * @param rng Draws the directions.
     * @return The estimate.
     * @throws IllegalStateException if the loss is not finite at a perturbed point.
     */
    public Estimate estimate(float[] w, ToDoubleFunction<float[]> loss, double size, SplittableRandom rng) {
        double[] gradient = new double[w.length];
        double[] direction = new double[w.length];
        float[] moved = new float[w.length];
        double lossSum = 0;
        for (int s = 0; s < samples; s++) {
            for (int i = 0; i < w.length; i++) {
                double sign = rng.nextBoolean() ? 1 : -1;
                direction[i] = perturbation == Perturbation.RADEMACHER ? sign : sign * (0.5 + 0.5 * rng.nextDouble());
            }
            for (int i = 0; i < w.length; i++) {
                moved[i] = (float) (w[i] + size * direction[i]);
            }
            double plus = finite(loss.applyAsDouble(moved));
            for (int i = 0; i < w.length; i++) {
                moved[i] = (float) (w[i] - size * direction[i]);
            }
            double minus = finite(loss.applyAsDouble(moved));
            double difference = (plus - minus) / (2 * size);
            for (int i = 0; i < w.length; i++) {
                gradient[i] += difference / direction[i] / samples;
            }
            lossSum += (plus + minus) / 2;
        }
        return new Estimate(gradient, lossSum / samples);
    }

    private static double finite(double loss) {
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("SPSA-GC needs a finite loss, found " + loss);
        }
        return loss;
    }

    /**
     * Starts a run: the step counter and the momentum of the gradient correction.
     * @param dimension The number of parameters.
     * @return The run.
     */
    public Run start(int dimension) {
        return new Run(dimension);
    }

    /**
     * One SPSA-GC optimisation: its step counter and momentum.
     */
    public final class Run {
        private final double[] firstMoment;
        private int step = 0;

        private Run(int dimension) {
            this.firstMoment = new double[dimension];
        }

        /**
         * Takes one step: estimates the gradient at {@code w} with {@code c_k} and updates {@code w} in place with
         * {@code a_k}.
         * @param w The parameters, updated in place.
         * @param loss The loss of a parameter vector.
         * @param rng Draws the directions.
         * @return The mean loss at the perturbed points.
         */
        public double step(float[] w, ToDoubleFunction<float[]> loss, SplittableRandom rng) {
            if (w.length != firstMoment.length) {
                throw new IllegalArgumentException("this run optimises " + firstMoment.length + " parameters, got "
                        + w.length);
            }
            step++;
            Estimate estimate = estimate(w, loss, perturbationAt(step), rng);
            double[] g = estimate.gradient();
            double a = gainAt(step);
            for (int i = 0; i < w.length; i++) {
                double direction = g[i];
                if (gradientCorrection) {
                    firstMoment[i] = step > 1 ? momentum * firstMoment[i] + g[i] : g[i];
                    direction = g[i] + momentum * firstMoment[i];
                }
                w[i] = (float) (w[i] - a * direction);
            }
            return estimate.loss();
        }

        /**
         * The steps taken.
         * @return The count.
         */
        public int steps() {
            return step;
        }
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "SpsaGcOptimiser");
    }

    @Override
    public String toString() {
        return "SpsaGcOptimiser(gain=" + gain + ",stability=" + stability + ",gainDecay=" + gainDecay
                + ",perturbationScale=" + perturbationScale + ",perturbationDecay=" + perturbationDecay + ",momentum="
                + momentum + ",samples=" + samples + ",perturbation=" + perturbation + ",gradientCorrection="
                + gradientCorrection + ")";
    }
}
