package org.tribuoadapt.peft;

import java.util.Locale;

/**
 * The number of trainable values of an adapted network against all its values (weights, not buffers), counted as
 * PEFT's {@code get_nb_trainable_parameters} counts them: every adapter's parameters and both the original and the
 * copies of modules to save are part of "all".
 *
 * @param trainable The trainable values.
 * @param all All values.
 */
public record TrainableSummary(long trainable, long all) {

    /**
     * The trainable share in percent.
     * @return {@code 100 * trainable / all}.
     */
    public double percent() {
        return all == 0 ? 0 : 100.0 * trainable / all;
    }

    /**
     * PEFT's wording ({@code print_trainable_parameters}), e.g.
     * {@code trainable params: 1,234 || all params: 56,789 || trainable%: 2.1730}.
     * @return The summary line.
     */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f", trainable, all,
                percent());
    }
}
