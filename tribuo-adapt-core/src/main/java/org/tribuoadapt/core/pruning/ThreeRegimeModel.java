package org.tribuoadapt.core.pruning;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

import java.io.Serializable;

/**
 * The rule of the three-regime model of pruning (Zhou, Yang, Chang and Mahoney, ICML 2023) that maps the two
 * loss-landscape metrics of a pair of retrained sparse networks to a {@link Regime}: linear mode connectivity
 * ({@link LinearModeConnectivity}) separates Regime I (poorly connected, {@code mc < 0}) from Regime II, and within
 * Regime II the CKA of the networks' outputs ({@link LinearCka}) separates II-A (relatively dissimilar) from II-B
 * (relatively similar).
 * <p>
 * The paper draws both boundaries on its phase plots: by the sign of {@code mc}, and by where the CKA is relatively
 * high. Two choices are this project's and configurable: {@code connectivityTolerance}, how far below zero {@code mc}
 * may fall and still count as connected (0, the sign rule, by default), and {@code ckaThreshold}, the CKA at or above
 * which outputs count as similar (0.95 by default, as no absolute value is given in the paper).
 */
public final class ThreeRegimeModel implements Configurable, Provenancable<ConfiguredObjectProvenance>, Serializable {
    private static final long serialVersionUID = 1L;

    /** The default CKA at or above which two networks' outputs count as similar. */
    public static final double DEFAULT_CKA_THRESHOLD = 0.95;

    @Config(description = "CKA of the outputs at or above which a well-connected pair is in Regime II-B, in (0, 1].")
    private double ckaThreshold = DEFAULT_CKA_THRESHOLD;

    @Config(description = "A mode connectivity below -connectivityTolerance is a barrier (Regime I); at least 0.")
    private double connectivityTolerance = 0.0;

    /** For OLCUT. */
    private ThreeRegimeModel() {}

    /**
     * Creates the rule.
     * @param ckaThreshold The CKA boundary between II-A and II-B, in (0, 1].
     * @param connectivityTolerance How far below zero {@code mc} may be and still count as connected, at least 0.
     * @throws PropertyException if a setting is out of range.
     */
    public ThreeRegimeModel(double ckaThreshold, double connectivityTolerance) {
        this.ckaThreshold = ckaThreshold;
        this.connectivityTolerance = connectivityTolerance;
        postConfig();
    }

    /**
     * The rule with the default settings (sign of {@code mc}, CKA threshold {@value #DEFAULT_CKA_THRESHOLD}).
     * @return The rule.
     */
    public static ThreeRegimeModel defaults() {
        return new ThreeRegimeModel(DEFAULT_CKA_THRESHOLD, 0.0);
    }

    @Override
    public void postConfig() {
        if (!(ckaThreshold > 0 && ckaThreshold <= 1)) {
            throw new PropertyException("", "ckaThreshold", "ckaThreshold must be in (0, 1], found " + ckaThreshold);
        }
        if (!(connectivityTolerance >= 0) || Double.isInfinite(connectivityTolerance)) {
            throw new PropertyException("", "connectivityTolerance", "connectivityTolerance must be finite and at least 0, found "
                    + connectivityTolerance);
        }
    }

    /**
     * The regime of a pair of retrained networks.
     * @param modeConnectivity Their linear mode connectivity {@code mc}.
     * @param cka The linear CKA of their outputs.
     * @return The regime.
     * @throws IllegalArgumentException if a metric is NaN or infinite, or the CKA is outside [0, 1] (beyond rounding).
     */
    public Regime classify(double modeConnectivity, double cka) {
        if (!Double.isFinite(modeConnectivity)) {
            throw new IllegalArgumentException("the mode connectivity must be finite, found " + modeConnectivity);
        }
        if (!(cka >= -1e-9 && cka <= 1 + 1e-9)) {
            throw new IllegalArgumentException("a CKA lies in [0, 1], found " + cka);
        }
        if (modeConnectivity < -connectivityTolerance) {
            return Regime.I;
        }
        return cka >= ckaThreshold ? Regime.II_B : Regime.II_A;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "ThreeRegimeModel");
    }

    @Override
    public String toString() {
        return "ThreeRegimeModel(ckaThreshold=" + ckaThreshold + ",connectivityTolerance=" + connectivityTolerance + ")";
    }
}
