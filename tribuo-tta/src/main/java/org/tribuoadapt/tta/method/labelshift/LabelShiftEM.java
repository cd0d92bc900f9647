package org.tribuoadapt.tta.method.labelshift;

import ai.djl.ndarray.NDManager;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelInfo;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.MethodRequirements;
import org.tribuoadapt.tta.method.ModelOutputs;
import org.tribuoadapt.tta.method.TestTimeMethod;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Label-shift correction by expectation-maximisation of the class priors (Saerens, Latinne and Decaestecker
 * 2002, "Adjusting the Outputs of a Classifier to New a Priori Probabilities: A Simple Procedure", Neural
 * Computation, Eqs. 2.9-2.10): with source priors {@code pi_s} and the model's posteriors {@code p(c|x_k)} on the
 * most recent {@code window} test examples (at least the current batch), iterate
 * {@code q_k(c) proportional to (pi(c) / pi_s(c)) p(c|x_k)} and {@code pi(c) = mean_k q_k(c)} from
 * {@code pi = pi_s} until the priors move by less than the tolerance; the current batch is predicted with the
 * re-weighted posteriors. A window equal to the batch size makes it episodic.
 * <p>
 * The source priors are the mean posterior of the model on held-out source data (the run's source samples), as in the
 * reference implementation of Alexandari et al. (2020), so that on a stream without label shift EM starts at its
 * fixed point and estimates no shift. With {@code calibrate} (the default) the posteriors, on the source samples and
 * on the stream alike, are first calibrated by {@linkplain BiasCorrectedTemperatureScaling bias-corrected temperature
 * scaling} fitted on the labelled source samples (their section 3: EM is only as good as the posteriors' calibration).
 * Without source samples, the source priors fall back to the label frequencies the model was trained on (Tribuo's
 * {@code LabelInfo} counts), or uniform when the model does not record them, and nothing is calibrated. Works on any
 * Tribuo model that outputs probabilities.
 */
public final class LabelShiftEM implements TestTimeMethod {

    /** The method's name. */
    public static final String NAME = "label-shift-em";

    /** Source samples per forward pass when the source posteriors are computed. */
    private static final int SOURCE_BATCH = 256;

    @Config(description = "Most recent test examples the priors are estimated from (at least the current batch).")
    private int window = 64;

    @Config(description = "Largest number of EM iterations per batch.")
    private int maxIterations = 100;

    @Config(description = "Stop when no prior moves by more than this.")
    private double tolerance = 1e-6;

    @Config(description = "Calibrate posteriors by bias-corrected temperature scaling fitted on the source samples.")
    private boolean calibrate = true;

    /** For OLCUT. */
    private LabelShiftEM() {}

    /**
     * Creates the method.
     * @param window Most recent test examples the priors are estimated from.
     * @param maxIterations The largest number of EM iterations.
     * @param tolerance The convergence tolerance on the priors.
     */
    public LabelShiftEM(int window, int maxIterations, double tolerance) {
        this(window, maxIterations, tolerance, true);
    }

    /**
     * Creates the method.
     * @param window Most recent test examples the priors are estimated from.
     * @param maxIterations The largest number of EM iterations.
     * @param tolerance The convergence tolerance on the priors.
     * @param calibrate Whether to calibrate posteriors by BCTS fitted on the source samples.
     */
    public LabelShiftEM(int window, int maxIterations, double tolerance, boolean calibrate) {
        this.window = window;
        this.maxIterations = maxIterations;
        this.tolerance = tolerance;
        this.calibrate = calibrate;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (window < 1 || maxIterations < 1) {
            throw new PropertyException("", "window", "window and maxIterations must be at least 1, found " + window
                    + " and " + maxIterations);
        }
        if (!(tolerance > 0)) {
            throw new PropertyException("", "tolerance", "tolerance must be positive, found " + tolerance);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The source priors of a model: its training label frequencies, or uniform.
     * @param model The model.
     * @return The priors in label-id order.
     */
    static double[] sourcePriors(Model<Label> model) {
        ImmutableOutputInfo<Label> info = model.getOutputIDInfo();
        double[] priors = new double[info.size()];
        double total = 0;
        if (info instanceof LabelInfo) {
            for (int c = 0; c < priors.length; c++) {
                priors[c] = ((LabelInfo) info).getLabelCount(info.getOutput(c));
                total += priors[c];
            }
        }
        for (int c = 0; c < priors.length; c++) {
            priors[c] = total > 0 && allPositive(priors) ? priors[c] / total : 1.0 / priors.length;
        }
        return priors;
    }

    private static boolean allPositive(double[] values) {
        for (double v : values) {
            if (!(v > 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Estimates target priors by EM and re-weights posteriors (Saerens et al. 2002).
     * @param posteriors Rows of source-model posteriors.
     * @param sourcePriors The source priors.
     * @param maxIterations The largest number of iterations.
     * @param tolerance The convergence tolerance.
     * @return The target priors.
     */
    static double[] estimatePriors(Iterable<double[]> posteriors, double[] sourcePriors, int maxIterations,
                                   double tolerance) {
        int classes = sourcePriors.length;
        double[] priors = sourcePriors.clone();
        for (int it = 0; it < maxIterations; it++) {
            double[] next = new double[classes];
            int rows = 0;
            for (double[] p : posteriors) {
                double[] q = reweight(p, priors, sourcePriors);
                for (int c = 0; c < classes; c++) {
                    next[c] += q[c];
                }
                rows++;
            }
            double change = 0;
            for (int c = 0; c < classes; c++) {
                next[c] /= rows;
                change = Math.max(change, Math.abs(next[c] - priors[c]));
            }
            priors = next;
            if (change < tolerance) {
                break;
            }
        }
        return priors;
    }

    /**
     * {@code q(c) proportional to (priors(c) / sourcePriors(c)) p(c)}.
     * @param p The posterior.
     * @param priors The target priors.
     * @param sourcePriors The source priors.
     * @return The re-weighted posterior.
     */
    static double[] reweight(double[] p, double[] priors, double[] sourcePriors) {
        double[] q = new double[p.length];
        double sum = 0;
        for (int c = 0; c < p.length; c++) {
            q[c] = priors[c] / sourcePriors[c] * p[c];
            sum += q[c];
        }
        for (int c = 0; c < p.length; c++) {
            q[c] = sum > 0 ? q[c] / sum : 1.0 / p.length;
        }
        return q;
    }

    /**
     * The mean of rows of posteriors.
     * @param posteriors One row per example.
     * @return The mean posterior.
     */
    static double[] meanPosterior(double[][] posteriors) {
        double[] mean = new double[posteriors[0].length];
        for (double[] row : posteriors) {
            for (int c = 0; c < mean.length; c++) {
                mean[c] += row[c] / posteriors.length;
            }
        }
        return mean;
    }

    /** The model's posteriors on every source sample, one row per sample. */
    private static double[][] posteriors(ModelOutputs outputs, TensorDataset source) {
        int classes = outputs.numClasses();
        double[][] rows = new double[source.size()][classes];
        try (NDManager manager = DjlRuntime.newManager()) {
            for (int from = 0; from < source.size(); from += SOURCE_BATCH) {
                int n = Math.min(SOURCE_BATCH, source.size() - from);
                float[] features = source.features(manager, Evaluation.range(from, from + n)).toFloatArray();
                float[] p = outputs.run(features, n, false).probabilities();
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < classes; c++) {
                        rows[from + i][c] = p[i * classes + c];
                    }
                }
            }
        }
        return rows;
    }

    @Override
    public AdaptationSession start(Model<Label> model, AdaptationContext context) {
        MethodRequirements.probabilities(model, "Label-shift EM");
        ModelOutputs outputs = ModelOutputs.of(model, null);
        int classes = outputs.numClasses();
        BiasCorrectedTemperatureScaling calibration = BiasCorrectedTemperatureScaling.identity(classes);
        double[] sourcePriors;
        Optional<TensorDataset> source = context.source().filter(s -> s.size() > 0);
        try {
            if (source.isPresent()) {
                double[][] sourcePosteriors = posteriors(outputs, source.get());
                if (calibrate) {
                    calibration = BiasCorrectedTemperatureScaling.fit(sourcePosteriors, source.get().labels());
                    for (int k = 0; k < sourcePosteriors.length; k++) {
                        sourcePosteriors[k] = calibration.apply(sourcePosteriors[k]);
                    }
                }
                sourcePriors = meanPosterior(sourcePosteriors);
            } else {
                sourcePriors = sourcePriors(model);
            }
        } catch (RuntimeException e) {
            outputs.close();
            throw e;
        }
        BiasCorrectedTemperatureScaling calibrated = calibration;
        Deque<double[]> recent = new ArrayDeque<>();
        return new AdaptationSession() {
            @Override
            public float[] predict(float[] features, int n) {
                float[] p = outputs.run(features, n, false).probabilities();
                double[][] rows = new double[n][classes];
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < classes; c++) {
                        rows[i][c] = p[i * classes + c];
                    }
                    rows[i] = calibrated.apply(rows[i]);
                    recent.addLast(rows[i]);
                }
                while (recent.size() > Math.max(window, n)) {
                    recent.removeFirst();
                }
                double[] priors = estimatePriors(recent, sourcePriors, maxIterations, tolerance);
                float[] out = new float[p.length];
                for (int i = 0; i < n; i++) {
                    double[] q = reweight(rows[i], priors, sourcePriors);
                    for (int c = 0; c < classes; c++) {
                        out[i * classes + c] = (float) q[c];
                    }
                }
                return out;
            }

            @Override
            public void reset() {
                recent.clear();
            }

            @Override
            public void close() {
                outputs.close();
            }
        };
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TestTimeMethod");
    }

    @Override
    public String toString() {
        return "LabelShiftEM(window=" + window + ",maxIterations=" + maxIterations + ",tolerance=" + tolerance
                + ",calibrate=" + calibrate + ")";
    }
}
