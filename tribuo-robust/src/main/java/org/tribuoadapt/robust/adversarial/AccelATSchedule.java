package org.tribuoadapt.robust.adversarial;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.train.EpochSummary;
import org.tribuoadapt.core.train.LearningRateSchedule;

import java.util.ArrayList;
import java.util.List;

/**
 * AccelAT (Nikfam, Marchisio, Martina and Shafique, "AccelAT: A Framework for Accelerating the Adversarial Training of
 * Deep Neural Networks through Accuracy Gradient", IEEE Access 10, 2022): a learning-rate schedule for adversarial
 * training driven by the accuracy gradient, the change between epochs of the validation accuracy averaged over the
 * last {@code window} epochs. After epoch {@code k} it multiplies the rate by {@code factor} (never going below
 * {@code minimumRate}) when
 * <ul>
 *     <li>{@code k >= window + 2} (the authors' code compares two full-window means only once more than
 *     {@code window} means have been recorded),</li>
 *     <li>at least {@code quietEpochs} epochs have passed since the last drop, and</li>
 *     <li>{@code mean(a[k-window+1..k]) - mean(a[k-window..k-1]) < threshold}.</li>
 * </ul>
 * The defaults are the authors' (their {@code accelat.py} and {@code function_callback.py}): factor 0.8, threshold
 * 0.005, window 5, quiet time 5 epochs, minimum rate 1e-6, with SGD from 1e-3.
 * <p>
 * The accuracy is the validation accuracy the {@code NetworkTrainer} measures after each epoch on its held-out split
 * ({@code validationFraction}), that is clean accuracy. The authors' code watches the accuracy on validation images
 * attacked once, before training, against the starting network; against a network that adversarial training keeps
 * changing those images are no longer adversarial, so the clean accuracy of the held-out split is the closer
 * measurable signal. The decisions are a pure function of the accuracy sequence ({@link #drops}), so the same run
 * gives the same rates.
 */
public final class AccelATSchedule implements LearningRateSchedule {
    private static final long serialVersionUID = 1L;

    @Config(description = "The factor the learning rate is multiplied by at a drop, in (0, 1).")
    private double factor = 0.8;

    @Config(description = "A drop happens when the accuracy gradient (change of the windowed mean accuracy, a "
            + "fraction) falls below this.")
    private double threshold = 0.005;

    @Config(description = "The number of epochs whose validation accuracies are averaged.")
    private int window = 5;

    @Config(description = "Epochs after a drop before the next one may happen.")
    private int quietEpochs = 5;

    @Config(description = "The learning rate never drops below this.")
    private double minimumRate = 1e-6;

    /** For OLCUT. */
    private AccelATSchedule() {}

    /**
     * AccelAT with the authors' settings: factor 0.8, threshold 0.005, window 5, quiet time 5, minimum rate 1e-6.
     * @return The schedule.
     */
    public static AccelATSchedule withPaperDefaults() {
        return new AccelATSchedule(0.8, 0.005, 5, 5, 1e-6);
    }

    /**
     * Creates the schedule.
     * @param factor The factor applied at a drop, in (0, 1).
     * @param threshold The accuracy gradient below which the rate drops (finite).
     * @param window The number of epochs averaged, at least 1.
     * @param quietEpochs The epochs after a drop before the next, at least 1.
     * @param minimumRate The smallest rate a drop leads to, positive and finite.
     */
    public AccelATSchedule(double factor, double threshold, int window, int quietEpochs, double minimumRate) {
        this.factor = factor;
        this.threshold = threshold;
        this.window = window;
        this.quietEpochs = quietEpochs;
        this.minimumRate = minimumRate;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(factor > 0 && factor < 1)) {
            throw new PropertyException("", "factor", "factor must be in (0, 1), found " + factor);
        }
        if (!Double.isFinite(threshold)) {
            throw new PropertyException("", "threshold", "threshold must be finite, found " + threshold);
        }
        if (window < 1) {
            throw new PropertyException("", "window", "window must be at least 1, found " + window);
        }
        if (quietEpochs < 1) {
            throw new PropertyException("", "quietEpochs", "quietEpochs must be at least 1, found " + quietEpochs);
        }
        if (!(minimumRate > 0) || Double.isInfinite(minimumRate)) {
            throw new PropertyException("", "minimumRate", "minimumRate must be positive and finite, found " + minimumRate);
        }
    }

    /**
     * The epochs after which AccelAT drops the learning rate, for a sequence of validation accuracies.
     * @param accuracies The validation accuracy after each epoch, epoch 1 first, as fractions.
     * @return The epochs (1-based, ascending) after which the rate drops.
     * @throws IllegalArgumentException if an accuracy is NaN or infinite.
     */
    public List<Integer> drops(double[] accuracies) {
        List<Integer> out = new ArrayList<>();
        int lastDrop = Integer.MIN_VALUE / 2;
        for (int epoch = window + 2; epoch <= accuracies.length; epoch++) {
            double gradient = windowMean(accuracies, epoch) - windowMean(accuracies, epoch - 1);
            if (epoch - lastDrop >= quietEpochs && gradient < threshold) {
                out.add(epoch);
                lastDrop = epoch;
            }
        }
        return out;
    }

    /** The mean accuracy of the {@code window} epochs ending with {@code epoch} (1-based). */
    private double windowMean(double[] accuracies, int epoch) {
        double sum = 0;
        for (int i = epoch - window; i < epoch; i++) {
            if (!Double.isFinite(accuracies[i])) {
                throw new IllegalArgumentException("AccelAT needs finite validation accuracies, found " + accuracies[i]
                        + " after epoch " + (i + 1));
            }
            sum += accuracies[i];
        }
        return sum / window;
    }

    /**
     * The rate after a drop from {@code rate}: {@code rate * factor}, but not below the minimum (a rate already below
     * the minimum is kept).
     * @param rate The current rate.
     * @return The dropped rate.
     */
    public double droppedRate(double rate) {
        return Math.max(rate * factor, Math.min(minimumRate, rate));
    }

    /**
     * {@inheritDoc}
     * @throws IllegalStateException if the epochs carry no validation accuracy (the trainer has no validation split).
     */
    @Override
    public double nextRate(List<EpochSummary> epochs, double currentRate) {
        double[] accuracies = new double[epochs.size()];
        for (int i = 0; i < accuracies.length; i++) {
            accuracies[i] = epochs.get(i).validationAccuracy();
            if (Double.isNaN(accuracies[i])) {
                throw new IllegalStateException("AccelAT reads the validation accuracy, but epoch " + (i + 1)
                        + " has none; give the trainer a validationFraction > 0");
            }
        }
        List<Integer> drops = drops(accuracies);
        boolean dropNow = !drops.isEmpty() && drops.get(drops.size() - 1) == epochs.size();
        return dropNow ? droppedRate(currentRate) : currentRate;
    }

    @Override
    public String toString() {
        return "AccelATSchedule(factor=" + factor + ",threshold=" + threshold + ",window=" + window + ",quietEpochs="
                + quietEpochs + ",minimumRate=" + minimumRate + ")";
    }
}
