package org.tribuoadapt.hpo.search;

/**
 * An integer property on {@code low, low + step, ..., high}, searched uniformly or log-uniformly ({@code log}, with
 * step 1). Optuna's {@code IntDistribution}.
 * @param low The lower bound (inclusive).
 * @param high The upper bound (inclusive).
 * @param log Whether the search is uniform in the logarithm.
 * @param step The step (1 unless given).
 */
public record IntDistribution(long low, long high, boolean log, long step) implements Distribution {

    /**
     * Checks the bounds.
     */
    public IntDistribution {
        if (low >= high) {
            throw new IllegalArgumentException("int range needs low < high, found low=" + low + ", high=" + high);
        }
        if (log && low <= 0) {
            throw new IllegalArgumentException("log int range needs low > 0, found low=" + low);
        }
        if (step < 1 || (log && step != 1)) {
            throw new IllegalArgumentException("int step must be >= 1 (and 1 with log), found step=" + step);
        }
    }

    @Override
    public double toInternal(Object external) {
        if (!(external instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
            throw new IllegalArgumentException("expected an integer in " + this + ", found " + external);
        }
        return number.doubleValue();
    }

    @Override
    public Object toExternal(double internal) {
        return Math.round(internal);
    }

    @Override
    public boolean contains(double internal) {
        return internal >= low && internal <= high && internal == Math.rint(internal);
    }
}
