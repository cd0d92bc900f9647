package org.tribuoadapt.hpo.steplaw;

/**
 * What counts as one unit of data D (and of batch size B) when the Step Law (Li et al. 2025, arXiv 2503.04715),
 * fitted on language-model tokens, is applied to other data. D is the amount of data the run trains on, so it
 * counts every epoch: {@code D = examples * epochs * unitsPerExample}.
 */
public enum DataMeasure {
    /** One unit per example (an image, a row): the natural "token" of a classifier that sees each example once per step. */
    EXAMPLES,
    /** One unit per input value (a pixel, a feature). */
    INPUT_VALUES,
    /** A configured number of tokens per example, e.g. the patches of a vision transformer or a text's token count. */
    TOKENS;

    /**
     * The units one example contributes.
     * @param valuesPerExample The number of input values per example.
     * @param tokensPerExample The configured tokens per example (used by {@link #TOKENS}).
     * @return The units per example.
     */
    public double unitsPerExample(long valuesPerExample, double tokensPerExample) {
        switch (this) {
            case EXAMPLES:
                return 1.0;
            case INPUT_VALUES:
                return valuesPerExample;
            case TOKENS:
                return tokensPerExample;
            default:
                throw new IllegalStateException("unknown measure " + this);
        }
    }
}
