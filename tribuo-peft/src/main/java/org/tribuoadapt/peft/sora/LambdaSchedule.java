package org.tribuoadapt.peft.sora;

/**
 * How SoRA's gate threshold grows over the stages of training (Ding et al. 2023, the authors' {@code lambda_schedule}):
 * from {@code sparse_lambda_2} to {@code max_lambda} in {@code lambda_num} values, so that later stages prune more
 * ranks.
 */
public enum LambdaSchedule {
    /** One value, {@code sparse_lambda_2}, for the whole run (the authors' default, no schedule). */
    NONE("none"),
    /** Evenly spaced values. */
    LINEAR("linear"),
    /** {@code log} of evenly spaced values of {@code exp(lambda)}: steps that shrink as lambda grows. */
    LOG_LINEAR("log_linear"),
    /** {@code exp} of evenly spaced values of {@code log(lambda)}: a geometric sequence; the start must be positive. */
    EXP_LINEAR("exp_linear");

    private final String fileName;

    LambdaSchedule(String fileName) {
        this.fileName = fileName;
    }

    /**
     * The name the authors' code and the adapter file use.
     * @return {@code none}, {@code linear}, {@code log_linear} or {@code exp_linear}.
     */
    public String fileName() {
        return fileName;
    }

    /**
     * Reads a schedule from its file name.
     * @param name {@code none} (or null), {@code linear}, {@code log_linear} or {@code exp_linear}.
     * @return The schedule.
     * @throws IllegalArgumentException naming the known schedules for another name.
     */
    public static LambdaSchedule fromFileName(String name) {
        if (name == null) {
            return NONE;
        }
        for (LambdaSchedule s : values()) {
            if (s.fileName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown lambda_schedule '" + name + "'; known: none, linear, log_linear, exp_linear");
    }

    /**
     * The threshold of every stage.
     * @param start The first value, {@code sparse_lambda_2}.
     * @param max The last value, {@code max_lambda} (ignored by {@link #NONE}).
     * @param stages The number of values, {@code lambda_num} (ignored by {@link #NONE}).
     * @return The values, {@code [start]} for {@link #NONE}.
     */
    public double[] values(double start, double max, int stages) {
        if (this == NONE) {
            return new double[] {start};
        }
        double[] out = new double[stages];
        for (int i = 0; i < stages; i++) {
            double t = stages == 1 ? 0 : (double) i / (stages - 1);
            out[i] = switch (this) {
                case LINEAR -> interpolate(start, max, t);
                case LOG_LINEAR -> Math.log(interpolate(Math.exp(start), Math.exp(max), t));
                case EXP_LINEAR -> Math.exp(interpolate(Math.log(start), Math.log(max), t));
                case NONE -> start;
            };
        }
        // the ends exactly as configured, without rounding in exp and log
        out[0] = start;
        if (stages > 1) {
            out[stages - 1] = max;
        }
        return out;
    }

    private static double interpolate(double from, double to, double t) {
        return from + (to - from) * t;
    }
}
