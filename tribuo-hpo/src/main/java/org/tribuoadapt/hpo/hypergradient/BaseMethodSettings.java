package org.tribuoadapt.hpo.hypergradient;

import com.oracle.labs.mlrg.olcut.config.PropertyException;

/**
 * Checks the settings of the base methods under hypergradient descent, shared by the network and the Tribuo
 * optimisers: momentum (Polyak 1964; Nesterov as in Sutskever et al. 2013) and Adam (Kingma and Ba 2015).
 */
public final class BaseMethodSettings {

    private BaseMethodSettings() {}

    /**
     * Checks momentum settings.
     * @param momentum The momentum factor, in {@code [0, 1)}.
     * @param nesterov Whether Nesterov momentum is used; it needs {@code momentum > 0}.
     * @throws PropertyException if a setting is invalid.
     */
    public static void validateMomentum(double momentum, boolean nesterov) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new PropertyException("", "momentum", "momentum must be in [0, 1), found " + momentum);
        }
        if (nesterov && momentum == 0) {
            throw new PropertyException("", "nesterov", "Nesterov momentum needs momentum > 0");
        }
    }

    /**
     * Checks Adam's moment settings.
     * @param beta1 First-moment decay, in {@code [0, 1)}.
     * @param beta2 Second-moment decay, in {@code [0, 1)}.
     * @param epsilon Denominator term, positive and finite.
     * @throws PropertyException if a setting is invalid.
     */
    public static void validateAdam(double beta1, double beta2, double epsilon) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new PropertyException("", "beta1", "beta1 and beta2 must be in [0, 1), found " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new PropertyException("", "epsilon", "epsilon must be positive and finite, found " + epsilon);
        }
    }
}
