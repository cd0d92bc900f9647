package org.tribuoadapt.hpo.search.sampler;

import org.tribuoadapt.hpo.search.CategoricalDistribution;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.FloatDistribution;
import org.tribuoadapt.hpo.search.IntDistribution;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The univariate Parzen estimator of TPE (Bergstra et al., "Algorithms for Hyper-Parameter Optimization",
 * NeurIPS 2011, section 4) as Optuna 3.1 builds it ({@code optuna/samplers/_tpe/parzen_estimator.py}):
 * <ul>
 *     <li>one component per observation plus a prior component (mean the centre of the range, width the range,
 *     weight {@code priorWeight});</li>
 *     <li>observation weights 1, or, from 25 observations on, a ramp from {@code 1/n} to 1 over all but the 25 most
 *     recent ones; the weights are normalised;</li>
 *     <li>numerical parameters work in the log of the value for log ranges, on a range widened by half a step for
 *     steps and integers; each component is a normal truncated to the range whose width is the larger distance to
 *     its sorted neighbours (the range ends count as neighbours, except for the outermost components unless
 *     {@code considerEndpoints}), clipped to {@code [range / min(100, 1 + components), range]} (the "magic clip");</li>
 *     <li>stepped and integer values have the mass of their grid cell rather than a density; a continuous
 *     component's log density is Optuna 3.1's {@code _truncnorm.logpdf}, which leaves out the {@code -log sigma}
 *     term of a normal density (so wide components weigh more than in scipy's truncnorm);</li>
 *     <li>categorical parameters: each component gives {@code priorWeight / components} to every choice, plus 1 to
 *     its observation, normalised.</li>
 * </ul>
 */
final class ParzenEstimator {

    private final Distribution distribution;
    private final double[] weights;
    // numerical: range in the transformed space, grid cell (or 0), component means and widths
    private final double low;
    private final double high;
    private final double cell;
    private final double[] mus;
    private final double[] sigmas;
    // categorical: per component, the probability of each choice
    private final double[][] choiceProbabilities;

    /**
     * Builds the estimator.
     * @param distribution The parameter's distribution.
     * @param observations Internal values of the observations, in trial order.
     * @param priorWeight The prior component's weight.
     * @param considerEndpoints Whether the range ends bound the outermost components' widths.
     */
    ParzenEstimator(Distribution distribution, double[] observations, double priorWeight, boolean considerEndpoints) {
        this.distribution = distribution;
        int n = observations.length;
        this.weights = componentWeights(n, priorWeight);
        if (distribution instanceof CategoricalDistribution c) {
            int k = c.choices().size();
            choiceProbabilities = new double[n + 1][k];
            for (int i = 0; i <= n; i++) {
                Arrays.fill(choiceProbabilities[i], priorWeight / (n + 1));
                if (i < n) {
                    choiceProbabilities[i][(int) observations[i]] += 1;
                }
                double total = Arrays.stream(choiceProbabilities[i]).sum();
                for (int j = 0; j < k; j++) {
                    choiceProbabilities[i][j] /= total;
                }
            }
            low = high = cell = 0;
            mus = sigmas = null;
            return;
        }
        choiceProbabilities = null;
        if (distribution instanceof FloatDistribution f) {
            double q = f.step() == null ? 0 : f.step();
            low = f.log() ? Math.log(f.low()) : f.low() - 0.5 * q;
            high = f.log() ? Math.log(f.high()) : f.high() + 0.5 * q;
            cell = q;
        } else {
            IntDistribution i = (IntDistribution) distribution;
            low = i.log() ? Math.log(i.low() - 0.5) : i.low() - 0.5 * i.step();
            high = i.log() ? Math.log(i.high() + 0.5) : i.high() + 0.5 * i.step();
            cell = i.log() ? 0 : i.step();
        }
        mus = new double[n + 1];
        for (int i = 0; i < n; i++) {
            mus[i] = transform(observations[i]);
        }
        mus[n] = 0.5 * (low + high);
        sigmas = bandwidths(mus, low, high, considerEndpoints);
        sigmas[n] = high - low;
    }

    private static double[] componentWeights(int n, double priorWeight) {
        double[] w = new double[n + 1];
        for (int i = 0; i < n; i++) {
            int ramp = n - 25;
            // np.linspace(1/n, 1, n - 25) for the oldest observations
            w[i] = i >= ramp ? 1 : (ramp == 1 ? 1.0 / n : 1.0 / n + i * (1 - 1.0 / n) / (ramp - 1));
        }
        w[n] = priorWeight;
        double total = Arrays.stream(w).sum();
        for (int i = 0; i <= n; i++) {
            w[i] /= total;
        }
        return w;
    }

    private static double[] bandwidths(double[] mus, double low, double high, boolean considerEndpoints) {
        int m = mus.length;
        Integer[] order = IntStream.range(0, m).boxed().sorted(Comparator.comparingDouble(i -> mus[i])).toArray(Integer[]::new);
        double[] withEnds = new double[m + 2];
        withEnds[0] = low;
        withEnds[m + 1] = high;
        for (int i = 0; i < m; i++) {
            withEnds[i + 1] = mus[order[i]];
        }
        double[] sorted = new double[m];
        for (int i = 0; i < m; i++) {
            sorted[i] = Math.max(withEnds[i + 1] - withEnds[i], withEnds[i + 2] - withEnds[i + 1]);
        }
        if (!considerEndpoints && m + 2 >= 4) {
            sorted[0] = withEnds[2] - withEnds[1];
            sorted[m - 1] = withEnds[m] - withEnds[m - 1];
        }
        double max = high - low;
        double min = (high - low) / Math.min(100.0, 1.0 + m);
        double[] sigmas = new double[m];
        for (int i = 0; i < m; i++) {
            sigmas[order[i]] = Math.max(min, Math.min(max, sorted[i]));
        }
        return sigmas;
    }

    private double transform(double internal) {
        boolean log = distribution instanceof FloatDistribution f ? f.log() : ((IntDistribution) distribution).log();
        return log ? Math.log(internal) : internal;
    }

    private double untransform(double x) {
        if (distribution instanceof FloatDistribution f) {
            if (f.log()) {
                return Math.min(f.high(), Math.max(f.low(), Math.exp(x)));
            }
            if (f.step() == null) {
                return x;
            }
            return Math.min(f.high(), Math.max(f.low(), Math.rint((x - f.low()) / cell) * cell + f.low()));
        }
        IntDistribution i = (IntDistribution) distribution;
        double v = i.log() ? Math.rint(Math.exp(x)) : Math.rint((x - i.low()) / cell) * cell + i.low();
        return Math.min(i.high(), Math.max(i.low(), v));
    }

    /**
     * Draws a value: a component by weight, then a value from it.
     * @param rng The generator.
     * @return An internal value.
     */
    double sample(SplittableRandom rng) {
        int component = pick(rng, weights);
        if (choiceProbabilities != null) {
            return pick(rng, choiceProbabilities[component]);
        }
        double x;
        do {
            x = mus[component] + sigmas[component] * rng.nextGaussian();
        } while (x < low || x > high);
        return untransform(x);
    }

    private static int pick(SplittableRandom rng, double[] probabilities) {
        double u = rng.nextDouble();
        double cumulative = 0;
        for (int i = 0; i < probabilities.length - 1; i++) {
            cumulative += probabilities[i];
            if (u < cumulative) {
                return i;
            }
        }
        return probabilities.length - 1;
    }

    /**
     * The log likelihood of an internal value under the mixture.
     * @param internal The value.
     * @return Its log density (or log mass, for grids and choices).
     */
    double logPdf(double internal) {
        double[] terms = new double[weights.length];
        for (int k = 0; k < weights.length; k++) {
            terms[k] = Math.log(weights[k]) + componentLogPdf(k, internal);
        }
        double max = Arrays.stream(terms).max().orElseThrow();
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum);
    }

    private double componentLogPdf(int k, double internal) {
        if (choiceProbabilities != null) {
            return Math.log(choiceProbabilities[k][(int) internal]);
        }
        double mu = mus[k];
        double sigma = sigmas[k];
        double x = transform(internal);
        double accept = GaussianMass.logMass((low - mu) / sigma, (high - mu) / sigma);
        if (cell == 0) {
            // Optuna 3.1's truncnorm.logpdf omits the 1/sigma of the density; kept, so suggestions match Optuna's
            return GaussianMass.logDensity((x - mu) / sigma) - accept;
        }
        double lower = Math.max(x - cell / 2, low);
        double upper = Math.min(x + cell / 2, high);
        return GaussianMass.logMass((lower - mu) / sigma, (upper - mu) / sigma) - accept;
    }
}
