package org.tribuoadapt.hpo.steplaw;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

import java.io.Serializable;
import java.util.List;

/**
 * The Step Law (Li et al. 2025, "Predictable Scale: Part I -- Optimal Hyperparameter Scaling Law in Large Language
 * Model Pretraining", arXiv 2503.04715): the optimal peak learning rate and batch size as power laws of
 * the model size N and the data size D,
 * <pre>
 *   eta(N, D) = c_eta * N^(-a) * D^(b)        (paper: c_eta = 1.79, a = 0.713, b = 0.307)
 *   B(D)      = c_B * D^(d)                   (paper: c_B = 0.58, d = 0.571)
 * </pre>
 * where N counts non-embedding parameters, D training tokens, and B tokens per batch. For example N = 119M,
 * D = 7B gives eta = 3.29e-3 and B = 242,649 tokens.
 * <p>
 * The constants were fitted on dense and mixture-of-experts transformer language models trained with AdamW; for any
 * other model, optimiser or kind of data the law is an extrapolation. The constants are configuration, so they are
 * recorded in provenance, and {@link #fit} refits all five from a user's own tuning results by log-linear least
 * squares. The exponent {@code a} is stored as a magnitude (the law uses {@code N^(-a)}).
 */
public final class StepLaw implements Configurable, Provenancable<ConfiguredObjectProvenance>, Serializable {
    private static final long serialVersionUID = 1L;

    @Config(description = "c_eta in eta = c_eta N^(-a) D^b.")
    private double learningRateCoefficient = 1.79;

    @Config(description = "a in eta = c_eta N^(-a) D^b (a magnitude: the learning rate falls as N grows when a > 0).")
    private double modelSizeExponent = 0.713;

    @Config(description = "b in eta = c_eta N^(-a) D^b.")
    private double dataSizeExponent = 0.307;

    @Config(description = "c_B in B = c_B D^d.")
    private double batchSizeCoefficient = 0.58;

    @Config(description = "d in B = c_B D^d.")
    private double batchSizeExponent = 0.571;

    /** Creates the law with the paper's constants. */
    public StepLaw() {}

    /**
     * Creates the law with other constants.
     * @param learningRateCoefficient c_eta.
     * @param modelSizeExponent a, the magnitude of N's exponent.
     * @param dataSizeExponent b.
     * @param batchSizeCoefficient c_B.
     * @param batchSizeExponent d.
     */
    public StepLaw(double learningRateCoefficient, double modelSizeExponent, double dataSizeExponent,
                   double batchSizeCoefficient, double batchSizeExponent) {
        this.learningRateCoefficient = learningRateCoefficient;
        this.modelSizeExponent = modelSizeExponent;
        this.dataSizeExponent = dataSizeExponent;
        this.batchSizeCoefficient = batchSizeCoefficient;
        this.batchSizeExponent = batchSizeExponent;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(learningRateCoefficient > 0) || Double.isInfinite(learningRateCoefficient)) {
            throw new PropertyException("", "learningRateCoefficient", "learningRateCoefficient must be positive and finite, found " + learningRateCoefficient);
        }
        if (!(batchSizeCoefficient > 0) || Double.isInfinite(batchSizeCoefficient)) {
            throw new PropertyException("", "batchSizeCoefficient", "batchSizeCoefficient must be positive and finite, found " + batchSizeCoefficient);
        }
        if (!Double.isFinite(modelSizeExponent) || !Double.isFinite(dataSizeExponent) || !Double.isFinite(batchSizeExponent)) {
            throw new PropertyException("", "modelSizeExponent", "the exponents must be finite, found " + modelSizeExponent
                    + ", " + dataSizeExponent + ", " + batchSizeExponent);
        }
    }

    /**
     * The predicted optimal learning rate {@code c_eta N^(-a) D^b}.
     * @param parameters N, the model size.
     * @param dataSize D, the amount of training data.
     * @return eta.
     * @throws IllegalArgumentException if N or D is not positive and finite.
     */
    public double learningRate(double parameters, double dataSize) {
        checkPositive("N (the number of parameters)", parameters);
        checkPositive("D (the data size)", dataSize);
        return learningRateCoefficient * Math.pow(parameters, -modelSizeExponent) * Math.pow(dataSize, dataSizeExponent);
    }

    /**
     * The predicted optimal batch size {@code c_B D^d}, in the unit D is counted in.
     * @param dataSize D, the amount of training data.
     * @return B.
     * @throws IllegalArgumentException if D is not positive and finite.
     */
    public double batchSize(double dataSize) {
        checkPositive("D (the data size)", dataSize);
        return batchSizeCoefficient * Math.pow(dataSize, batchSizeExponent);
    }

    private static void checkPositive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("the Step Law needs a positive, finite " + name + ", found " + value);
        }
    }

    /**
     * Refits every constant from a user's results by least squares on the logarithms:
     * {@code log eta = log c_eta - a log N + b log D} over at least three observations whose (log N, log D) do not lie
     * on one line, and {@code log B = log c_B + d log D} over at least two distinct D.
     * @param observations The best learning rate and batch size found at several N and D.
     * @return A law with the fitted constants.
     * @throws IllegalArgumentException if the observations cannot determine the constants.
     */
    public static StepLaw fit(List<StepLawObservation> observations) {
        if (observations.size() < 3) {
            throw new IllegalArgumentException("fitting the Step Law needs at least 3 observations (best learning rate and "
                    + "batch size at different N and D), found " + observations.size());
        }
        int n = observations.size();
        double[][] rateDesign = new double[n][];
        double[] rateTargets = new double[n];
        double[][] batchDesign = new double[n][];
        double[] batchTargets = new double[n];
        for (int i = 0; i < n; i++) {
            StepLawObservation o = observations.get(i);
            rateDesign[i] = new double[] {1, Math.log(o.parameters()), Math.log(o.dataSize())};
            rateTargets[i] = Math.log(o.learningRate());
            batchDesign[i] = new double[] {1, Math.log(o.dataSize())};
            batchTargets[i] = Math.log(o.batchSize());
        }
        double[] rate = LogLinearFit.solve(rateDesign, rateTargets);
        double[] batch = LogLinearFit.solve(batchDesign, batchTargets);
        return new StepLaw(Math.exp(rate[0]), -rate[1], rate[2], Math.exp(batch[0]), batch[1]);
    }

    /** @return c_eta. */
    public double learningRateCoefficient() {
        return learningRateCoefficient;
    }

    /** @return a, the magnitude of N's exponent. */
    public double modelSizeExponent() {
        return modelSizeExponent;
    }

    /** @return b, D's exponent in the learning rate. */
    public double dataSizeExponent() {
        return dataSizeExponent;
    }

    /** @return c_B. */
    public double batchSizeCoefficient() {
        return batchSizeCoefficient;
    }

    /** @return d, D's exponent in the batch size. */
    public double batchSizeExponent() {
        return batchSizeExponent;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "StepLaw");
    }

    @Override
    public String toString() {
        return "StepLaw(eta=" + learningRateCoefficient + "*N^-" + modelSizeExponent + "*D^" + dataSizeExponent
                + ",B=" + batchSizeCoefficient + "*D^" + batchSizeExponent + ")";
    }
}
