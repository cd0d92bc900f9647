package org.tribuoadapt.hpo.search;

/**
 * A real-valued property: uniform on {@code [low, high]}, log-uniform ({@code log}), or on the grid
 * {@code low + k step} ({@code step}, not with {@code log}). Optuna's {@code FloatDistribution}.
 * @param low The lower bound (inclusive).
 * @param high The upper bound (inclusive).
 * @param log Whether the search is uniform in the logarithm.
 * @param step The grid step, or null for a continuous range.
 */
public record FloatDistribution(double low, double high, boolean log, Double step) implements Distribution {

    /**
     * Checks the bounds.
     */
    public FloatDistribution {
        if (!Double.isFinite(low) || !Double.isFinite(high) || low >= high) {
            throw new IllegalArgumentException("float range needs finite low < high, found low=" + low + ", high=" + high);
        }
        if (log && low <= 0) {
            throw new IllegalArgumentException("log float range needs low > 0, found low=" + low);
        }
        if (step != null && (log || !(step > 0) || !Double.isFinite(step))) {
            throw new IllegalArgumentException("float step must be finite and > 0 and cannot be combined with log, found step="
                    + step + (log ? " with log" : ""));
        }
    }

    @Override
    public double toInternal(Object external) {
        if (!(external instanceof Number number)) {
            throw new IllegalArgumentException("expected a number in " + this + ", found " + external);
        }
        return number.doubleValue();
    }

    @Override
    public Object toExternal(double internal) {
        return internal;
    }

    @Override
    public boolean contains(double internal) {
        return internal >= low && internal <= high;
    }
}
