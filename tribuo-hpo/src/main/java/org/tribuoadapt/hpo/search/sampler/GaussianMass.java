package org.tribuoadapt.hpo.search.sampler;

/**
 * Logarithms of standard normal probabilities, accurate in the tails, for the truncated normals of the Parzen
 * estimator. {@code erfc} is the Maclaurin series of {@code erf} for {@code |z| < 2} and its Laplace continued
 * fraction (Abramowitz and Stegun 7.1.14), evaluated in log space, beyond.
 */
final class GaussianMass {

    private static final double SQRT2 = Math.sqrt(2);
    private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private GaussianMass() {}

    /**
     * The log density of the standard normal.
     * @param x The point.
     * @return {@code log phi(x)}.
     */
    static double logDensity(double x) {
        return -0.5 * x * x - LOG_SQRT_2PI;
    }

    /**
     * {@code log(Phi(b) - Phi(a))} for {@code a < b}.
     * @param a The lower end.
     * @param b The upper end.
     * @return The log probability of {@code [a, b]}.
     */
    static double logMass(double a, double b) {
        if (a >= 0) {
            return logDifference(logCdf(-a), logCdf(-b));
        }
        if (b <= 0) {
            return logDifference(logCdf(b), logCdf(a));
        }
        return Math.log1p(-(Math.exp(logCdf(a)) + Math.exp(logCdf(-b))));
    }

    private static double logDifference(double logLarger, double logSmaller) {
        return logLarger + Math.log1p(-Math.exp(logSmaller - logLarger));
    }

    /**
     * {@code log Phi(x)}.
     * @param x The point.
     * @return The log of the standard normal CDF.
     */
    static double logCdf(double x) {
        return Math.log(0.5) + logErfc(-x / SQRT2);
    }

    private static double logErfc(double z) {
        if (z >= 2) {
            return -z * z - LOG_SQRT_PI + Math.log(continuedFraction(z));
        }
        if (z <= -2) {
            return Math.log(2 - Math.exp(logErfc(-z)));
        }
        return Math.log(1 - erfSeries(z));
    }

    // erf(z) = 2/sqrt(pi) sum_n (-1)^n z^(2n+1) / (n! (2n+1))
    private static double erfSeries(double z) {
        double term = z;
        double sum = z;
        for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
            term *= -z * z / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    // sqrt(pi) exp(z^2) erfc(z) = 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))), by the modified Lentz method
    private static double continuedFraction(double z) {
        double tiny = 1e-300;
        double f = z;
        double c = z;
        double d = 0;
        for (int k = 1; k < 500; k++) {
            double a = k / 2.0;
            d = z + a * d;
            d = 1 / (Math.abs(d) < tiny ? tiny : d);
            c = z + a / c;
            c = Math.abs(c) < tiny ? tiny : c;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return 1 / f;
    }
}
