package org.tribuoadapt.hpo.hypergradient;

/**
 * How hypergradient descent moves the learning rate (Baydin et al. 2018, "Online Learning Rate Adaptation with
 * Hypergradient Descent", ICLR). With {@code g_t} the gradient at step t and {@code d_{t-1}} the descent direction
 * of the previous step (so that {@code theta_{t-1} = theta_{t-2} - alpha d_{t-1}}), the hypergradient of the loss
 * with respect to the learning rate is {@code h_t = -g_t . d_{t-1}}.
 */
public enum HypergradientRule {

    /**
     * The additive rule of the paper's algorithms (Section 2): {@code alpha_t = alpha_{t-1} - beta h_t
     * = alpha_{t-1} + beta (g_t . d_{t-1})}.
     */
    ADDITIVE,

    /**
     * The multiplicative rule (Baydin et al. 2018, Section 2, after Martínez Rubio 2017, eq. 3.4): the hypergradient
     * is normalised by the norms of the two vectors, {@code alpha_t = alpha_{t-1} (1 + beta cos(g_t, d_{t-1}))}, so
     * the learning rate changes geometrically, never by more than a factor {@code 1 +- beta}, and stays positive for
     * {@code beta < 1}. It is invariant to rescaling the loss.
     */
    MULTIPLICATIVE;

    /**
     * Applies the rule once.
     * @param rate The current learning rate {@code alpha_{t-1}}.
     * @param beta The hypergradient learning rate.
     * @param dot The inner product {@code g_t . d_{t-1}}.
     * @param gradientSquaredNorm {@code |g_t|^2}.
     * @param directionSquaredNorm {@code |d_{t-1}|^2}.
     * @return The next learning rate, before clipping.
     */
    public double next(double rate, double beta, double dot, double gradientSquaredNorm, double directionSquaredNorm) {
        switch (this) {
            case ADDITIVE:
                return rate + beta * dot;
            case MULTIPLICATIVE:
                double norms = Math.sqrt(gradientSquaredNorm) * Math.sqrt(directionSquaredNorm);
                double cosine = norms > 0 ? Math.max(-1.0, Math.min(1.0, dot / norms)) : 0.0;
                return rate * (1 + beta * cosine);
            default:
                throw new IllegalStateException("unknown rule " + this);
        }
    }
}
