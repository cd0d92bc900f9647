package org.tribuoadapt.tta.method.labelshift;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelInfo;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.MethodRequirements;
import org.tribuoadapt.tta.method.ModelOutputs;
import org.tribuoadapt.tta.method.TestTimeMethod;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Label-shift correction by expectation-maximisation of the class priors (Saerens, Latinne and Decaestecker
 * 2002, "Adjusting the Outputs of a Classifier to New a Priori Probabilities: A Simple Procedure", Neural
 * Computation, Eqs. 2.9-2.10): with source priors {@code pi_s} and the model's posteriors {@code p(c|x_k)} on the
 * most recent {@code window} test examples (at least the current batch), iterate
 * {@code q_k(c) proportional to (pi(c) / pi_s(c)) p(c|x_k)} and {@code pi(c) = mean_k q_k(c)} from
 * {@code pi = pi_s} until the priors move by less than the tolerance; the current batch is predicted with the
 * re-weighted posteriors. A window equal to the batch size makes it episodic.
 * <p>
 * The source priors are the label frequencies the model was trained on (Tribuo's {@code LabelInfo} counts), or
 * uniform when the model does not record them. Works on any Tribuo model that outputs probabilities.
 */
public final class LabelShiftEM implements TestTimeMethod {

    /** The method's name. */
    public static final String NAME = "label-shift-em";

    @Config(description = "Most recent test examples the priors are estimated from (at least the current batch).")
    private int window = 64;

    @Config(description = "Largest number of EM iterations per batch.")
    private int maxIterations = 100;

    @Config(description = "Stop when no prior moves by more than this.")
    private double tolerance = 1e-6;

    /** For OLCUT. */
    private LabelShiftEM() {}

    /**
     * Creates the method.
     * @param window Most recent test examples the priors are estimated from.
     * @param maxIterations The largest number of EM iterations.
     * @param tolerance The convergence tolerance on the priors.
     */
    public LabelShiftEM(int window, int maxIterations, double tolerance) {
        this.window = window;
        this.maxIterations = maxIterations;
        this.tolerance = tolerance;
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

    @Override
    public AdaptationSession start(Model<Label> model, AdaptationContext context) {
        MethodRequirements.probabilities(model, "Label-shift EM");
        ModelOutputs outputs = ModelOutputs.of(model, null);
        double[] sourcePriors = sourcePriors(model);
        int classes = outputs.numClasses();
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
        return "LabelShiftEM(window=" + window + ",maxIterations=" + maxIterations + ",tolerance=" + tolerance + ")";
    }
}
