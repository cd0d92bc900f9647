package org.tribuoadapt.tta.method.batchnorm;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.StatelessSession;
import org.tribuoadapt.tta.method.TestTimeMethod;

/**
 * BN-adapt, test-time normalisation (Nado et al. 2020, "Evaluating Prediction-Time Batch Normalization for
 * Robustness under Covariate Shift"; Schneider et al. 2020): every BatchNorm layer normalises with the mean and
 * variance of the current test batch instead of the source running statistics. Nothing else changes and nothing
 * is kept between batches. Needs a {@code NetworkModel} with BatchNorm layers.
 */
public final class BatchNormAdapt implements TestTimeMethod {

    /** The method's name. */
    public static final String NAME = "bn-adapt";

    /**
     * Creates the method (it has no settings).
     */
    public BatchNormAdapt() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AdaptationSession start(Model<Label> model, AdaptationContext context) {
        return new StatelessSession(BatchStatisticsOutputs.create(model, 1.0, "BN-adapt"));
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TestTimeMethod");
    }

    @Override
    public String toString() {
        return "BatchNormAdapt()";
    }
}
