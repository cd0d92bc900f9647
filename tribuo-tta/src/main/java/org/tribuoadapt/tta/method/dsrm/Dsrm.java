package org.tribuoadapt.tta.method.dsrm;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.ModelOutputs;
import org.tribuoadapt.tta.method.TestTimeMethod;

/**
 * DSRM, domain-specific risk minimisation (Zhang et al. 2023, "Domain-Specific Risk Minimization for Domain
 * Generalization", KDD). Before the first test batch, {@link DsrmTrainer} builds source domains from the run's
 * labelled source samples (clean and corrupted copies) and fits one classifier head per domain over the features
 * of {@code featureLayer} ({@code head} by default, i.e. the penultimate features of the frozen source network).
 * On every test batch the heads' target risks are estimated without labels by their mean prediction entropy on
 * the batch, and the prediction is the heads' mixture weighted by {@link HeadSteering} (the paper's online model
 * steering). The network is not changed; the heads replace its classifier.
 */
public final class Dsrm implements TestTimeMethod {

    /** The method's name. */
    public static final String NAME = "dsrm";

    @Config(description = "Prepares the domain-specific heads.")
    private DsrmTrainer trainer = DsrmTrainer.withDefaults();

    @Config(description = "The layer whose input is the feature vector the heads read.")
    private String featureLayer = "head";

    @Config(description = "How the estimated risks weight the heads: MIX (softmax) or SELECT (argmin).")
    private SteeringRule rule = SteeringRule.MIX;

    @Config(description = "The temperature of the softmax over negative estimated risks (rule MIX).")
    private double temperature = 0.1;

    /** For OLCUT. */
    private Dsrm() {}

    /**
     * Creates DSRM.
     * @param trainer Prepares the heads.
     * @param featureLayer The layer whose input is the feature vector.
     * @param rule The steering rule.
     * @param temperature The softmax temperature of {@link SteeringRule#MIX}.
     */
    public Dsrm(DsrmTrainer trainer, String featureLayer, SteeringRule rule, double temperature) {
        this.trainer = trainer;
        this.featureLayer = featureLayer;
        this.rule = rule;
        this.temperature = temperature;
        postConfig();
    }

    /**
     * Creates DSRM with the default trainer, the features feeding {@code head}, rule MIX, temperature 0.1.
     * @return The method.
     */
    public static Dsrm withDefaults() {
        return new Dsrm(DsrmTrainer.withDefaults(), "head", SteeringRule.MIX, 0.1);
    }

    @Override
    public void postConfig() {
        if (trainer == null) {
            throw new PropertyException("", "trainer", "trainer must be set");
        }
        if (featureLayer == null || featureLayer.isBlank()) {
            throw new PropertyException("", "featureLayer", "featureLayer must name a layer, e.g. head");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new PropertyException("", "temperature", "temperature must be positive and finite, found "
                    + temperature);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Session start(Model<Label> model, AdaptationContext context) {
        TensorDataset source = context.source().filter(s -> s.size() > 0).orElseThrow(() ->
                new IllegalArgumentException("DSRM needs labelled source samples to train its domain-specific heads "
                        + "(Zhang et al. 2023); give the evaluator source data"));
        ModelOutputs outputs = ModelOutputs.of(model, featureLayer);
        try {
            return new Session(outputs, trainer.train(outputs, source));
        } catch (RuntimeException e) {
            outputs.close();
            throw e;
        }
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TestTimeMethod");
    }

    @Override
    public String toString() {
        return "Dsrm(trainer=" + trainer + ",featureLayer=" + featureLayer + ",rule=" + rule + ",temperature="
                + temperature + ")";
    }

    /**
     * A DSRM run; it keeps no state between batches.
     */
    public final class Session implements AdaptationSession {
        private final ModelOutputs outputs;
        private final DomainHeads heads;

        Session(ModelOutputs outputs, DomainHeads heads) {
            this.outputs = outputs;
            this.heads = heads;
        }

        /**
         * The heads the session steers.
         * @return The heads.
         */
        public DomainHeads heads() {
            return heads;
        }

        @Override
        public float[] predict(float[] features, int n) {
            ModelOutputs.Outputs out = outputs.run(features, n, true);
            float[][] probabilities = new float[heads.size()][];
            for (int k = 0; k < heads.size(); k++) {
                probabilities[k] = heads.probabilities(k, out.features(), n);
            }
            double[] risks = HeadSteering.estimatedRisks(probabilities, n, heads.classes());
            return HeadSteering.mix(probabilities, HeadSteering.weights(risks, rule, temperature));
        }

        @Override
        public void reset() {
            // the heads are fixed and the weights depend on the current batch only
        }

        @Override
        public void close() {
            outputs.close();
        }
    }
}
