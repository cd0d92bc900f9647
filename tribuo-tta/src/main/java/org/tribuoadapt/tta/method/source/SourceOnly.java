package org.tribuoadapt.tta.method.source;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.ModelOutputs;
import org.tribuoadapt.tta.method.StatelessSession;
import org.tribuoadapt.tta.method.TestTimeMethod;

/**
 * No adaptation: the source model predicts every batch as it is, with BatchNorm on its running statistics. The
 * baseline of every test-time adaptation benchmark, and the reference for latency ratios. Works on any Tribuo
 * classification model.
 */
public final class SourceOnly implements TestTimeMethod {

    /** The method's name. */
    public static final String NAME = "source";

    /**
     * Creates the method (it has no settings).
     */
    public SourceOnly() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AdaptationSession start(Model<Label> model, AdaptationContext context) {
        return new StatelessSession(ModelOutputs.of(model, null));
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TestTimeMethod");
    }

    @Override
    public String toString() {
        return "SourceOnly()";
    }
}
