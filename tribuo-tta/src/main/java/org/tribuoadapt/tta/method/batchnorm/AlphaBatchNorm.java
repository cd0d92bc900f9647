package org.tribuoadapt.tta.method.batchnorm;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.StatelessSession;
import org.tribuoadapt.tta.method.TestTimeMethod;

/**
 * alpha-BN (Schneider et al. 2020, "Improving robustness against common corruptions by covariate shift
 * adaptation", with the source statistics as a prior): every BatchNorm layer normalises with
 * {@code (1 - alpha) source + alpha test-batch} mean and variance. With the default alpha = 0.1 the source
 * statistics dominate, so it stays usable at batch size 1; alpha = 0 is the source model and alpha = 1 is
 * BN-adapt. Needs a {@code NetworkModel} with BatchNorm layers.
 */
public final class AlphaBatchNorm implements TestTimeMethod {

    /** The method's name. */
    public static final String NAME = "alpha-bn";

    @Config(description = "Weight of the test-batch statistics, in [0, 1].")
    private double alpha = 0.1;

    /** For OLCUT. */
    private AlphaBatchNorm() {}

    /**
     * Creates the method.
     * @param alpha The weight of the test-batch statistics, in [0, 1].
     */
    public AlphaBatchNorm(double alpha) {
        this.alpha = alpha;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new PropertyException("", "alpha", "alpha must be in [0, 1], found " + alpha);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AdaptationSession start(Model<Label> model, AdaptationContext context) {
        return new StatelessSession(BatchStatisticsOutputs.create(model, alpha, "alpha-BN"));
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TestTimeMethod");
    }

    @Override
    public String toString() {
        return "AlphaBatchNorm(alpha=" + alpha + ")";
    }
}
