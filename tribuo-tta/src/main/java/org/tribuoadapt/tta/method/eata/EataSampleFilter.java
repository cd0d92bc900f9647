package org.tribuoadapt.tta.method.eata;

/**
 * EATA's sample selection (Niu et al. 2022, "Efficient Test-Time Model Adaptation without Forgetting", ICML):
 * <ul>
 *   <li>reliability (Eq. 3): keep samples whose prediction entropy is below {@code E0};</li>
 *   <li>non-redundancy (Eq. 5): of those, keep samples whose probability vector has {@code |cos| < epsilon} to the
 *   moving average of the probabilities of earlier kept samples; the average (Eq. 4) is updated with momentum
 *   (0.9 by default) from the mean of the kept samples, and before the first update every reliable sample is
 *   kept;</li>
 *   <li>weighting (Eq. 6): each kept sample's entropy loss is weighted by {@code 1 / exp(E - E0)}.</li>
 * </ul>
 */
final class EataSampleFilter {

    /**
     * The outcome of filtering one batch.
     * @param reliable Which samples passed the entropy filter.
     * @param kept Which samples passed both filters.
     * @param weights The loss weight of each sample (0 for those not kept).
     * @param keptCount The number kept.
     */
    record Selection(boolean[] reliable, boolean[] kept, float[] weights, int keptCount) {}

    private final double entropyMargin;
    private final double redundancyMargin;
    private final double momentum;
    private double[] runningMean;

    /**
     * Creates a filter.
     * @param entropyMargin E0.
     * @param redundancyMargin Epsilon, the cosine threshold.
     * @param momentum The weight of the old average in its update.
     */
    EataSampleFilter(double entropyMargin, double redundancyMargin, double momentum) {
        this.entropyMargin = entropyMargin;
        this.redundancyMargin = redundancyMargin;
        this.momentum = momentum;
    }

    /**
     * Filters one batch and updates the moving average.
     * @param entropies The prediction entropy of each sample.
     * @param probabilities The probabilities, {@code n * classes}.
     * @param classes The number of classes.
     * @return The selection.
     */
    Selection select(float[] entropies, float[] probabilities, int classes) {
        int n = entropies.length;
        boolean[] reliable = new boolean[n];
        boolean[] kept = new boolean[n];
        float[] weights = new float[n];
        double[] keptSum = new double[classes];
        int keptCount = 0;
        for (int i = 0; i < n; i++) {
            reliable[i] = entropies[i] < entropyMargin;
            kept[i] = reliable[i] && (runningMean == null
                    || Math.abs(cosine(runningMean, probabilities, i * classes)) < redundancyMargin);
            if (kept[i]) {
                weights[i] = (float) (1 / Math.exp(entropies[i] - entropyMargin));
                keptCount++;
                for (int c = 0; c < classes; c++) {
                    keptSum[c] += probabilities[i * classes + c];
                }
            }
        }
        if (keptCount > 0) {
            for (int c = 0; c < classes; c++) {
                keptSum[c] /= keptCount;
            }
            if (runningMean == null) {
                runningMean = keptSum;
            } else {
                for (int c = 0; c < classes; c++) {
                    runningMean[c] = momentum * runningMean[c] + (1 - momentum) * keptSum[c];
                }
            }
        }
        return new Selection(reliable, kept, weights, keptCount);
    }

    private static double cosine(double[] a, float[] b, int offset) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int c = 0; c < a.length; c++) {
            dot += a[c] * b[offset + c];
            na += a[c] * a[c];
            nb += (double) b[offset + c] * b[offset + c];
        }
        // PyTorch's cosine_similarity clamps each norm at 1e-8
        return dot / (Math.max(Math.sqrt(na), 1e-8) * Math.max(Math.sqrt(nb), 1e-8));
    }

    /**
     * The moving average of kept probabilities, or null before the first kept sample.
     * @return A copy of the average.
     */
    double[] runningMean() {
        return runningMean == null ? null : runningMean.clone();
    }

    /**
     * Forgets the moving average (on a model reset).
     */
    void reset() {
        runningMean = null;
    }
}
